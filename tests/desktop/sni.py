#!/usr/bin/python3
"""Reads and clicks a tray icon's menu the way a panel does, on the session bus.

The StatusNotifierItem host is a real one (xfce4-panel's systray plugin, which
owns org.kde.StatusNotifierWatcher); this only asks that watcher for the
registered items and talks to an item's menu over dbusmenu, as the panel does
when the user opens it.

  sni.py host-ready    : exit 0 when a StatusNotifierWatcher with a host is on the bus
  sni.py dump          : the registered items, their properties and menus
  sni.py menu          : one line per menu item: label|enabled|toggle-type|toggle-state
  sni.py click LABEL   : send dbusmenu Event(id, "clicked") to the item labelled LABEL
"""
import sys, time
from gi.repository import Gio, GLib

WATCHER = "org.kde.StatusNotifierWatcher"


def bus():
    return Gio.bus_get_sync(Gio.BusType.SESSION, None)


def call(name, path, iface, method, args, reply):
    return bus().call_sync(name, path, iface, method, args, GLib.VariantType(reply) if reply else None,
                           Gio.DBusCallFlags.NONE, 5000, None).unpack()


def watcher_property(prop):
    return call(WATCHER, "/StatusNotifierWatcher", "org.freedesktop.DBus.Properties", "Get",
                GLib.Variant("(ss)", (WATCHER, prop)), "(v)")[0]


def items():
    for svc in watcher_property("RegisteredStatusNotifierItems"):
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
    for c in children:
        flatten(c, out)
    return out


def menu_items():
    for name, path in items():
        p = props(name, path)
        for ident, mp in flatten(layout(name, p["Menu"]), [])[1:]:
            yield name, p["Menu"], ident, mp


def host_ready():
    try:
        sys.exit(0 if watcher_property("IsStatusNotifierHostRegistered") else 1)
    except GLib.Error:
        sys.exit(1)


def dump():
    for name, path in items():
        p = props(name, path)
        print("item", name, path)
        for k in ("Id", "Title", "Status", "IconName", "IconThemePath", "ToolTip", "Menu"):
            if k in p:
                print(f"  {k}: {p[k]!r}")
        for ident, mp in flatten(layout(name, p["Menu"]), [])[1:]:
            print(f"  menu[{ident}]: {mp}")


def menu():
    # dbusmenu leaves out properties that have their default value:
    # enabled=true, toggle-type="", toggle-state=-1.
    for _, _, _, mp in menu_items():
        if mp.get("type") == "separator":
            print("---")
            continue
        print("|".join([mp.get("label", "").replace("_", ""), str(mp.get("enabled", True)).lower(),
                        mp.get("toggle-type", ""), str(mp.get("toggle-state", -1))]))


def click(label):
    want = label.replace("_", "")
    for name, menu_path, ident, mp in menu_items():
        if mp.get("label", "").replace("_", "") == want:
            call(name, menu_path, "com.canonical.dbusmenu", "Event",
                 GLib.Variant("(isvu)", (ident, "clicked", GLib.Variant("i", 0), int(time.time()))), None)
            print("clicked", label, ident)
            return
    sys.exit(f"no menu item {label!r}")


if __name__ == "__main__":
    {"host-ready": host_ready, "dump": dump, "menu": menu, "click": lambda: click(sys.argv[2])}[sys.argv[1]]()
