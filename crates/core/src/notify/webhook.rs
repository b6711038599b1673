//! Notifications POSTed as JSON to a URL: a local automation (a chat bridge,
//! a home server) listening on `http://localhost:…`.
//!
//! The request is plain HTTP/1.1 over a `TcpStream`: one POST with a JSON
//! body and `Connection: close`, reading only the status line back. That is
//! all a localhost webhook needs, and it spares the engine an HTTP client and
//! a TLS stack; `https://` URLs are refused with a clear error when the sink
//! is made. Delivery runs on the sink's own thread, so a slow or dead endpoint
//! (connect and read timeouts, retries with backoff) never holds up the
//! desktop notifications, let alone the engine.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, TrySendError};
use serde_json::{json, Value};

use super::error::NotifyError;
use super::event::{Event, Notification};
use super::sink::{Sink, SinkKind};

/// Notifications waiting for the endpoint beyond this many are dropped.
const QUEUE_CAPACITY: usize = 32;

/// Where to POST: parsed from an `http://host[:port][/path]` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Endpoint {
    url: String,
    /// `host:port` as written, for the Host header and for resolving.
    authority: String,
    host: String,
    port: u16,
    path: String,
}

impl Endpoint {
    fn parse(url: &str) -> Result<Endpoint, NotifyError> {
        let bad = |reason: &str| NotifyError::BadWebhookUrl {
            url: url.to_string(),
            reason: reason.to_string(),
        };
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(bad("expected http://host[:port]/path"));
        };
        if !scheme.eq_ignore_ascii_case("http") {
            return Err(bad("only http:// webhooks are supported"));
        }
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_string()),
            Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
            None => (rest, "/".to_string()),
        };
        let path = path.split('#').next().unwrap_or("/").to_string();
        if authority.contains('@') {
            return Err(bad("user names and passwords in the URL are not supported"));
        }
        let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            // An IPv6 literal: [::1]:8080
            let (host, after) = bracketed
                .split_once(']')
                .ok_or_else(|| bad("unclosed [ in the host"))?;
            (host.to_string(), after.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((host, port)) => (host.to_string(), Some(port)),
                None => (authority.to_string(), None),
            }
        };
        let port = match port {
            Some(port) => port
                .parse::<u16>()
                .map_err(|_| bad("the port is not a number from 1 to 65535"))?,
            None => 80,
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        Ok(Endpoint {
            url: url.to_string(),
            authority: authority.to_string(),
            host,
            port,
            path,
        })
    }
}

/// How a delivery is made.
#[derive(Debug, Clone)]
struct Delivery {
    endpoint: Endpoint,
    timeout: Duration,
    retries: u32,
    first_backoff: Duration,
}

/// POSTs each notification as JSON to an `http://` URL.
#[derive(Debug)]
pub struct WebhookSink {
    url: String,
    queue: Option<Sender<Value>>,
    n_queued: Arc<AtomicUsize>,
    closing: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
}

impl WebhookSink {
    /// A sink posting to `url` (`http://` only), waiting at most `timeout` to
    /// connect and for each read or write, and retrying `retries` times after
    /// a failed attempt, waiting 0.5 s, 1 s, 2 s, … in between.
    pub fn new(url: &str, timeout: Duration, retries: u32) -> Result<WebhookSink, NotifyError> {
        WebhookSink::with_backoff(url, timeout, retries, Duration::from_millis(500))
    }

    /// Checks that `url` is one this sink can post to (`http://host[:port]/path`),
    /// so a setting can be refused when it is made rather than when the
    /// first notification goes out.
    pub fn check_url(url: &str) -> Result<(), NotifyError> {
        Endpoint::parse(url).map(drop)
    }

    /// [`WebhookSink::new`] with another first wait between attempts (it
    /// doubles after each).
    pub fn with_backoff(
        url: &str,
        timeout: Duration,
        retries: u32,
        first_backoff: Duration,
    ) -> Result<WebhookSink, NotifyError> {
        let delivery = Delivery {
            endpoint: Endpoint::parse(url)?,
            timeout,
            retries,
            first_backoff,
        };
        let (queue, queued) = crossbeam_channel::bounded(QUEUE_CAPACITY);
        let n_queued = Arc::new(AtomicUsize::new(0));
        let closing = Arc::new(AtomicBool::new(false));
        let worker = {
            let (n_queued, closing) = (n_queued.clone(), closing.clone());
            std::thread::Builder::new()
                .name("gleaner-webhook".into())
                .spawn(move || post_queued(delivery, queued, n_queued, closing))
                .map_err(|err| NotifyError::Webhook {
                    url: url.into(),
                    reason: err.to_string(),
                    attempts: 0,
                })?
        };
        Ok(WebhookSink {
            url: url.to_string(),
            queue: Some(queue),
            n_queued,
            closing,
            worker: Some(worker),
        })
    }
}

impl Sink for WebhookSink {
    fn name(&self) -> &'static str {
        "webhook"
    }

    fn kind(&self) -> SinkKind {
        SinkKind::Webhook
    }

    /// Queues the POST and returns at once; failures after the last retry are
    /// logged by the sink's thread.
    fn deliver(&mut self, notification: &Notification) -> Result<(), NotifyError> {
        let Some(queue) = &self.queue else {
            return Ok(());
        };
        self.n_queued.fetch_add(1, Ordering::SeqCst);
        match queue.try_send(payload(notification)) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                let n_queued = self.n_queued.fetch_sub(1, Ordering::SeqCst) - 1;
                Err(NotifyError::WebhookBacklog {
                    url: self.url.clone(),
                    n_queued,
                })
            }
        }
    }
}

impl Drop for WebhookSink {
    /// Posts what is queued, each with one attempt (no retries), and waits
    /// for that: a notification sent just before exit is not lost.
    fn drop(&mut self) {
        self.closing.store(true, Ordering::SeqCst);
        self.queue = None;
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// The sink's thread: one POST (with its retries) at a time, asleep while
/// the queue is empty.
fn post_queued(
    delivery: Delivery,
    queued: Receiver<Value>,
    n_queued: Arc<AtomicUsize>,
    closing: Arc<AtomicBool>,
) {
    for body in queued {
        let body = body.to_string();
        if let Err(err) = post_with_retries(&delivery, &body, &closing) {
            tracing::warn!(target: "gleaner::notify", %err, "webhook notification lost");
        }
        n_queued.fetch_sub(1, Ordering::SeqCst);
    }
}

fn post_with_retries(
    delivery: &Delivery,
    body: &str,
    closing: &AtomicBool,
) -> Result<(), NotifyError> {
    let mut backoff = delivery.first_backoff;
    let mut attempts = 0;
    loop {
        attempts += 1;
        match post(delivery, body) {
            Ok(()) => return Ok(()),
            Err(Failure::Permanent(reason)) => return Err(failed(delivery, reason, attempts)),
            Err(Failure::Transient(reason)) => {
                if attempts > delivery.retries || closing.load(Ordering::SeqCst) {
                    return Err(failed(delivery, reason, attempts));
                }
                tracing::debug!(target: "gleaner::notify", %reason, attempts, "webhook attempt failed; retrying");
                std::thread::sleep(backoff);
                backoff = backoff.saturating_mul(2);
            }
        }
    }
}

fn failed(delivery: &Delivery, reason: String, attempts: u32) -> NotifyError {
    NotifyError::Webhook {
        url: delivery.endpoint.url.clone(),
        reason,
        attempts,
    }
}

/// Why one attempt failed: worth retrying (refused, timed out, 5xx, 429) or
/// not (other 4xx, redirects).
enum Failure {
    Transient(String),
    Permanent(String),
}

/// One POST; success is a 2xx status.
fn post(delivery: &Delivery, body: &str) -> Result<(), Failure> {
    let endpoint = &delivery.endpoint;
    let addresses: Vec<SocketAddr> = (endpoint.host.as_str(), endpoint.port)
        .to_socket_addrs()
        .map_err(|err| Failure::Transient(format!("cannot resolve {}: {err}", endpoint.host)))?
        .collect();
    let mut last_error = format!("{} resolves to no address", endpoint.host);
    let mut stream = None;
    for address in addresses {
        match TcpStream::connect_timeout(&address, delivery.timeout) {
            Ok(connected) => {
                stream = Some(connected);
                break;
            }
            Err(err) => last_error = format!("cannot connect to {address}: {err}"),
        }
    }
    let mut stream = stream.ok_or(Failure::Transient(last_error))?;
    let io = |err: std::io::Error| Failure::Transient(format!("{}: {err}", endpoint.authority));
    stream
        .set_read_timeout(Some(delivery.timeout))
        .map_err(io)?;
    stream
        .set_write_timeout(Some(delivery.timeout))
        .map_err(io)?;
    let request = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: Gleaner/{}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        endpoint.path,
        endpoint.authority,
        env!("CARGO_PKG_VERSION"),
        body.len(),
    );
    stream
        .write_all(request.as_bytes())
        .and_then(|()| stream.flush())
        .map_err(io)?;
    let status_line = read_status_line(&mut stream).map_err(io)?;
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| Failure::Transient(format!("not an HTTP answer: {status_line:?}")))?;
    match status {
        200..=299 => Ok(()),
        429 | 500..=599 => Err(Failure::Transient(format!(
            "the server answered {status_line}"
        ))),
        _ => Err(Failure::Permanent(format!(
            "the server answered {status_line}"
        ))),
    }
}

/// Reads up to the end of the first line of the answer.
fn read_status_line(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut line = Vec::new();
    let mut buffer = [0u8; 256];
    while !line.contains(&b'\n') && line.len() < 4096 {
        let n = stream.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        line.extend_from_slice(&buffer[..n]);
    }
    let end = line.iter().position(|b| *b == b'\n').unwrap_or(line.len());
    Ok(String::from_utf8_lossy(&line[..end]).trim_end().to_string())
}

/// The JSON posted: `{"event", "summary", "body", "urgency", "path", "job",
/// "events"}`. `job` is the job of a single-event notification about a job
/// (null otherwise); `events` holds every event told, several for a digest.
fn payload(n: &Notification) -> Value {
    let events: Vec<Value> = n.events.iter().map(event_json).collect();
    let job = match n.events.as_slice() {
        [single] => event_json(single)
            .get("job")
            .cloned()
            .unwrap_or(Value::Null),
        _ => Value::Null,
    };
    json!({
        "event": n.kind.as_str(),
        "summary": n.summary,
        "body": n.body,
        "urgency": n.urgency.as_str(),
        "path": n.source_path.as_ref().map(|p| p.to_string_lossy().into_owned()),
        "job": job,
        "events": events,
    })
}

fn event_json(event: &Event) -> Value {
    let kind = event.kind().as_str();
    match event {
        Event::JobStarted { id, directory } => {
            json!({"event": kind, "job": {"id": id, "directory": directory.to_string_lossy()}})
        }
        Event::JobMilestone {
            id,
            directory,
            percent,
            done,
            total,
        } => json!({
            "event": kind,
            "job": {"id": id, "directory": directory.to_string_lossy(), "percent": percent, "done": done, "total": total},
        }),
        Event::JobCompleted { job } => json!({
            "event": kind,
            "job": {
                "id": job.id,
                "directory": job.directory.to_string_lossy(),
                "trigger": job.trigger,
                "new": job.changes.new,
                "modified": job.changes.modified,
                "moved": job.changes.moved,
                "deleted": job.changes.deleted,
                "unchanged": job.changes.unchanged,
                "failed": job.changes.failed,
                "duration_ms": job.duration.as_millis() as u64,
            },
        }),
        Event::JobFailed {
            id,
            directory,
            reason,
        } => json!({
            "event": kind,
            "job": {"id": id, "directory": directory.to_string_lossy(), "error": reason},
        }),
        Event::SourceError { path, reason } => {
            json!({"event": kind, "path": path.to_string_lossy(), "reason": reason})
        }
        Event::SourceRecovered { path } => {
            json!({"event": kind, "path": path.to_string_lossy()})
        }
        Event::HealthDegraded { message, path } => json!({
            "event": kind,
            "path": path.as_ref().map(|p| p.to_string_lossy().into_owned()),
            "message": message,
        }),
        Event::IndexLost { data_dir, reason } => json!({
            "event": kind,
            "data_dir": data_dir.to_string_lossy(),
            "reason": reason,
        }),
    }
}

#[cfg(test)]
mod tests;
