#!/usr/bin/python3
"""Minimal StatusNotifierItem host for tests, on the session bus.
  sni.py watch        : act as org.kde.StatusNotifierWatcher (runs until killed)
  sni.py dump         : print the registered items, their properties and menus
  sni.py click LABEL  : send a dbusmenu 'clicked' event to the menu item LABEL
"""
import sys, time
from gi.repository import Gio, GLib

WATCHER_XML = """<node><interface name="org.kde.StatusNotifierWatcher">
<method name="RegisterStatusNotifierItem"><arg type="s" direction="in"/></method>
<method name="RegisterStatusNotifierHost"><arg type="s" direction="in"/></method>
<property name="RegisteredStatusNotifierItems" type="as" access="read"/>
<property name="IsStatusNotifierHostRegistered" type="b" access="read"/>
<property name="ProtocolVersion" type="i" access="read"/>
<signal name="StatusNotifierItemRegistered"><arg type="s"/></signal>
<signal name="StatusNotifierItemUnregistered"><arg type="s"/></signal>
<signal name="StatusNotifierHostRegistered"/>
</interface></node>"""

def watch():
    items = []
    node = Gio.DBusNodeInfo.new_for_xml(WATCHER_XML)
    def on_call(conn, sender, path, iface, method, params, inv):
        if method == "RegisterStatusNotifierItem":
            arg = params.unpack()[0]
            svc = arg if not arg.startswith("/") else sender + arg
            if arg.startswith("/"): svc = sender + arg
            else: svc = arg + "/StatusNotifierItem"
            items.append(svc)
            print("registered", svc, flush=True)
            conn.emit_signal(None, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher",
                             "StatusNotifierItemRegistered", GLib.Variant("(s)", (svc,)))
        inv.return_value(None)
    def on_get(conn, sender, path, iface, prop):
        return {"RegisteredStatusNotifierItems": GLib.Variant("as", items),
                "IsStatusNotifierHostRegistered": GLib.Variant("b", True),
                "ProtocolVersion": GLib.Variant("i", 0)}[prop]
    def on_acquired(conn, name):
        conn.register_object("/StatusNotifierWatcher", node.interfaces[0], on_call, on_get, None)
    def on_name(conn, name):
        print("watcher ready", flush=True)
    Gio.bus_own_name(Gio.BusType.SESSION, "org.kde.StatusNotifierWatcher",
                     Gio.BusNameOwnerFlags.NONE, on_acquired, on_name, None)
    GLib.MainLoop().run()

def bus():
    return Gio.bus_get_sync(Gio.BusType.SESSION, None)

def call(name, path, iface, method, args, reply):
    return bus().call_sync(name, path, iface, method, args, GLib.VariantType(reply) if reply else None,
                           Gio.DBusCallFlags.NONE, 5000, None).unpack()

def items():
    v = call("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher", "org.freedesktop.DBus.Properties",
             "Get", GLib.Variant("(ss)", ("org.kde.StatusNotifierWatcher", "RegisteredStatusNotifierItems")), "(v)")[0]
    for svc in v:
        name, _, path = svc.partition("/")
        yield name, "/" + path

def props(name, path):
    return call(name, path, "org.freedesktop.DBus.Properties", "GetAll",
                GLib.Variant("(s)", ("org.kde.StatusNotifierItem",)), "(a{sv})")[0]

def layout(name, menu):
    return call(name, menu, "com.canonical.dbusmenu", "GetLayout",
                GLib.Variant("(iias)", (0, -1, [])), "(u(ia{sv}av))")[1]

def flatten(node, out):
    ident, p, children = node
    out.append((ident, p))
    for c in children: flatten(c, out)
    return out

def dump():
    for name, path in items():
        p = props(name, path)
        print("item", name, path)
        for k in ("Id", "Title", "Status", "IconName", "IconThemePath", "ToolTip", "Menu"):
            if k in p: print(f"  {k}: {p[k]!r}")
        for ident, mp in flatten(layout(name, p["Menu"]), [])[1:]:
            print(f"  menu[{ident}]: {mp}")

def click(label):
    want = label.replace("_", "")
    for name, path in items():
        p = props(name, path)
        for ident, mp in flatten(layout(name, p["Menu"]), []):
            if mp.get("label", "").replace("_", "") == want:
                call(name, p["Menu"], "com.canonical.dbusmenu", "Event",
                     GLib.Variant("(isvu)", (ident, "clicked", GLib.Variant("i", 0), int(time.time()))), None)
                print("clicked", label, ident)
                return
    sys.exit(f"no menu item {label!r}")

if __name__ == "__main__":
    {"watch": lambda: watch(), "dump": dump, "click": lambda: click(sys.argv[2])}[sys.argv[1]]()
