//! The webhook against real local TCP listeners.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::*;
use crate::notify::event::{EventKind, JobChanges, JobSummary};
use crate::notify::text::render;

const WAIT: Duration = Duration::from_secs(5);

/// One request as the server saw it.
#[derive(Debug)]
struct Received {
    head: String,
    body: Value,
}

/// A server answering its connections, in turn, with `statuses`.
fn serve_on(listener: TcpListener, statuses: Vec<u16>) -> mpsc::Receiver<Received> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for status in statuses {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let mut reader = BufReader::new(stream);
            let mut head = String::new();
            let mut content_length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    content_length = value.trim().parse().unwrap();
                }
                head.push_str(&line);
            }
            let mut body = vec![0; content_length];
            reader.read_exact(&mut body).unwrap();
            let mut stream = reader.into_inner();
            write!(
                stream,
                "HTTP/1.1 {status} Whatever\r\nContent-Length: 0\r\n\r\n"
            )
            .unwrap();
            let _ = tx.send(Received {
                head,
                body: serde_json::from_slice(&body).unwrap(),
            });
        }
    });
    rx
}

fn serve(statuses: Vec<u16>) -> (String, mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/hooks/gleaner",
        listener.local_addr().unwrap().port()
    );
    (url, serve_on(listener, statuses))
}

fn sink(url: &str, retries: u32) -> WebhookSink {
    WebhookSink::with_backoff(
        url,
        Duration::from_secs(2),
        retries,
        Duration::from_millis(50),
    )
    .unwrap()
}

fn completed() -> Notification {
    let event = Event::JobCompleted {
        job: JobSummary {
            id: "4b1c".into(),
            directory: PathBuf::from("/home/ada/notes"),
            trigger: "manual".into(),
            changes: JobChanges {
                new: 1_204,
                modified: 3,
                failed: 2,
                unchanged: 10,
                ..Default::default()
            },
            duration: Duration::from_millis(4_200),
        },
    };
    render(&event, Some(std::path::Path::new("/home/ada")))
}

#[test]
fn posts_the_notification_as_json() {
    let (url, received) = serve(vec![200]);
    let mut webhook = sink(&url, 3);
    webhook.deliver(&completed()).unwrap();
    let request = received.recv_timeout(WAIT).expect("the webhook was called");
    assert!(
        request.head.starts_with("POST /hooks/gleaner HTTP/1.1\r\n"),
        "{}",
        request.head
    );
    assert!(request
        .head
        .to_ascii_lowercase()
        .contains("content-type: application/json"));
    assert!(request.head.contains(&format!(
        "Host: {}",
        url.trim_start_matches("http://").split('/').next().unwrap()
    )));
    let body = request.body;
    assert_eq!(body["event"], "job_completed");
    assert_eq!(body["summary"], "Indexing finished: ~/notes");
    assert_eq!(body["body"], "1,204 new, 3 modified, 2 failed in 4.2 s");
    assert_eq!(body["urgency"], "normal");
    assert_eq!(body["path"], "/home/ada/notes");
    assert_eq!(body["job"]["id"], "4b1c");
    assert_eq!(body["job"]["new"], 1_204);
    assert_eq!(body["job"]["failed"], 2);
    assert_eq!(body["job"]["duration_ms"], 4_200);
    assert_eq!(body["events"].as_array().unwrap().len(), 1);
}

#[test]
fn retries_after_a_server_error() {
    let (url, received) = serve(vec![500, 200]);
    let mut webhook = sink(&url, 3);
    webhook.deliver(&completed()).unwrap();
    let first = received.recv_timeout(WAIT).expect("first attempt");
    let second = received.recv_timeout(WAIT).expect("a retry after the 500");
    assert_eq!(first.body, second.body);
    drop(webhook);
    assert!(
        received.recv_timeout(Duration::from_millis(200)).is_err(),
        "no attempt after the 200"
    );
}

#[test]
fn retries_after_a_refused_connection() {
    // Take a free port, and leave it closed for the first attempt.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/");
    let mut webhook =
        WebhookSink::with_backoff(&url, Duration::from_secs(2), 3, Duration::from_millis(400))
            .unwrap();
    webhook.deliver(&completed()).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let received = serve_on(TcpListener::bind(("127.0.0.1", port)).unwrap(), vec![200]);
    let request = received
        .recv_timeout(WAIT)
        .expect("a retry once the port listens");
    assert_eq!(request.body["summary"], "Indexing finished: ~/notes");
}

#[test]
fn gives_up_after_the_retries() {
    let (url, received) = serve(vec![503, 503, 503, 503, 503]);
    let mut webhook = sink(&url, 2);
    webhook.deliver(&completed()).unwrap();
    for attempt in 1..=3 {
        received
            .recv_timeout(WAIT)
            .unwrap_or_else(|_| panic!("attempt {attempt}"));
    }
    assert!(
        received.recv_timeout(Duration::from_millis(400)).is_err(),
        "a 4th attempt"
    );
}

#[test]
fn a_client_error_is_not_retried() {
    let (url, received) = serve(vec![404, 200]);
    let mut webhook = sink(&url, 3);
    webhook.deliver(&completed()).unwrap();
    received.recv_timeout(WAIT).unwrap();
    assert!(received.recv_timeout(Duration::from_millis(400)).is_err());
}

#[test]
fn delivering_never_waits_for_the_server() {
    // A server that accepts and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let mut webhook =
        WebhookSink::with_backoff(&url, Duration::from_millis(300), 0, Duration::ZERO).unwrap();
    let started = Instant::now();
    for _ in 0..3 {
        webhook.deliver(&completed()).unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_millis(100),
        "{:?}",
        started.elapsed()
    );
    drop(webhook);
    drop(listener);
}

#[test]
fn a_digest_lists_its_events() {
    let (url, received) = serve(vec![200]);
    let mut digest = completed();
    digest.kind = EventKind::Digest;
    digest.events.push(Event::SourceError {
        path: "/media/usb".into(),
        reason: "unreachable".into(),
    });
    sink(&url, 0).deliver(&digest).unwrap();
    let body = received.recv_timeout(WAIT).unwrap().body;
    assert_eq!(body["event"], "digest");
    assert_eq!(body["job"], Value::Null);
    assert_eq!(body["events"][1]["event"], "source_error");
    assert_eq!(body["events"][1]["path"], "/media/usb");
}

#[test]
fn only_http_urls_are_accepted() {
    let err = WebhookSink::new("https://example.org/hook", WAIT, 3).unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad webhook URL \"https://example.org/hook\": only http:// webhooks are supported"
    );
    assert!(WebhookSink::new("localhost:8080", WAIT, 3).is_err());
    assert!(WebhookSink::new("http://localhost:99999/", WAIT, 3).is_err());
}

#[test]
fn urls_are_parsed() {
    let e = Endpoint::parse("http://localhost/").unwrap();
    assert_eq!(
        (e.host.as_str(), e.port, e.path.as_str()),
        ("localhost", 80, "/")
    );
    let e = Endpoint::parse("HTTP://[::1]:8080/a/b?x=1#frag").unwrap();
    assert_eq!(
        (e.host.as_str(), e.port, e.path.as_str()),
        ("::1", 8080, "/a/b?x=1")
    );
    assert_eq!(e.authority, "[::1]:8080");
    let e = Endpoint::parse("http://127.0.0.1:9000?token=t").unwrap();
    assert_eq!((e.port, e.path.as_str()), (9000, "/?token=t"));
}
