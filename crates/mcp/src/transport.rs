//! The stdio transport, with a line that is not JSON answered by a JSON-RPC
//! parse error (-32700).
//!
//! rmcp's own line transport (`AsyncRwTransport`, rmcp 3.11) drops a line
//! that is not JSON without a word: its `receive` logs "Ignoring unparsable
//! incoming message" and reads on, on purpose (rust-sdk issue #938: a reply
//! to garbage can start an error storm with a peer that echoes it), and
//! offers no hook to change that. JSON-RPC 2.0 asks for an error with code
//! -32700, and a client that wrote a broken line should hear that it did
//! rather than wait for an answer that never comes. So the lines are read
//! here first: each one that is JSON goes on, untouched, to rmcp's transport
//! through an in-memory pipe, which keeps rmcp's framing, its tolerance of
//! unknown notifications and its -32600 for JSON that is not a message;
//! each line that is not JSON is answered here with a parse error through
//! rmcp's own writer, the one every other answer goes through, so lines
//! never interleave on stdout. A parse error has no request id to echo, so
//! the answer has none (MCP 2026-07-28 omits `id` there); it is a response,
//! which a conforming peer never answers, so no storm can start.
//!
//! A line longer than [`MAX_LINE_BYTES`] is dropped with a log line, as rmcp
//! does, so a peer cannot make the server buffer without bound.

use std::future::Future;

use rmcp::model::ErrorData;
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::async_rw::AsyncRwTransport;
use rmcp::transport::Transport;
use rmcp::RoleServer;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The longest line read (rmcp's own default, 16 MiB).
pub const MAX_LINE_BYTES: u64 = 16 * 1024 * 1024;

/// How much of the filtered input waits in the pipe to rmcp.
const PIPE_BYTES: usize = 64 * 1024;

/// The server's side of stdio: stdin filtered for lines that are not JSON,
/// stdout written by rmcp.
pub fn stdio() -> ParseErrorAnswering<tokio::io::Stdout> {
    ParseErrorAnswering::new(tokio::io::stdin(), tokio::io::stdout())
}

/// A server transport over a line-delimited JSON-RPC stream that answers
/// unparsable lines with -32700 (see the module's documentation). Must be
/// made inside a tokio runtime: it spawns the task that reads the lines.
pub struct ParseErrorAnswering<W: AsyncWrite + Send + Unpin + 'static> {
    inner: AsyncRwTransport<RoleServer, tokio::io::DuplexStream, W>,
    unparsable: mpsc::UnboundedReceiver<()>,
    /// Parse errors being written, awaited before the session ends so the
    /// last answer is not lost.
    answering: Vec<JoinHandle<()>>,
}

impl<W: AsyncWrite + Send + Unpin + 'static> ParseErrorAnswering<W> {
    /// Reads messages from `read` and writes answers to `write`.
    pub fn new<R: AsyncRead + Send + Unpin + 'static>(read: R, write: W) -> Self {
        let (to_rmcp, from_filter) = tokio::io::duplex(PIPE_BYTES);
        let (unparsable_tx, unparsable) = mpsc::unbounded_channel();
        tokio::spawn(filter_lines(read, to_rmcp, unparsable_tx));
        ParseErrorAnswering {
            inner: AsyncRwTransport::new_server(from_filter, write),
            unparsable,
            answering: Vec::new(),
        }
    }

    fn answer_parse_error(&mut self) {
        let reply = TxJsonRpcMessage::<RoleServer>::error(
            ErrorData::parse_error("Parse error: the line is not JSON", None),
            None,
        );
        let sending = self.inner.send(reply);
        // Spawned, because rmcp may drop a `receive` in progress (it polls
        // it in a `select!`), and a write dropped half way would be lost.
        self.answering.retain(|task| !task.is_finished());
        self.answering.push(tokio::spawn(async move {
            if let Err(err) = sending.await {
                tracing::debug!(%err, "could not answer a line that is not JSON");
            }
        }));
    }

    async fn finish_answers(&mut self) {
        for task in self.answering.drain(..) {
            let _ = task.await;
        }
    }
}

impl<W: AsyncWrite + Send + Unpin + 'static> Transport<RoleServer> for ParseErrorAnswering<W> {
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        self.inner.send(item)
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        loop {
            // Both branches are cancel-safe: a message not taken stays in
            // the channel, and rmcp keeps a partly read line for the next
            // call.
            tokio::select! {
                biased;
                Some(()) = self.unparsable.recv() => self.answer_parse_error(),
                message = self.inner.receive() => {
                    if message.is_none() {
                        // The input ended: answer what came before the end.
                        while let Ok(()) = self.unparsable.try_recv() {
                            self.answer_parse_error();
                        }
                        self.finish_answers().await;
                    }
                    return message;
                }
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.finish_answers().await;
        self.inner.close().await
    }
}

/// Copies each JSON line of `read` to `forward` and reports each line that
/// is not JSON on `unparsable`, until `read` ends.
async fn filter_lines<R, F>(read: R, mut forward: F, unparsable: mpsc::UnboundedSender<()>)
where
    R: AsyncRead + Unpin,
    F: AsyncWrite + Unpin,
{
    let mut read = BufReader::new(read);
    let mut line = Vec::new();
    loop {
        line.clear();
        match (&mut read)
            .take(MAX_LINE_BYTES + 1)
            .read_until(b'\n', &mut line)
            .await
        {
            Ok(0) => break,
            Ok(_) => {}
            Err(err) => {
                tracing::debug!(%err, "reading the client's messages failed");
                break;
            }
        }
        if line.len() as u64 > MAX_LINE_BYTES {
            tracing::warn!(
                max_bytes = MAX_LINE_BYTES,
                "a message longer than the limit was dropped"
            );
            if !skip_rest_of_line(&mut read).await {
                break;
            }
            continue;
        }
        match classify(&line) {
            Line::Blank => {}
            Line::Json => {
                if !line.ends_with(b"\n") {
                    line.push(b'\n');
                }
                if forward.write_all(&line).await.is_err() {
                    break; // rmcp's side is gone: the session is over
                }
            }
            Line::NotJson => {
                tracing::debug!("answering a line that is not JSON with a parse error");
                if unparsable.send(()).is_err() {
                    break;
                }
            }
        }
    }
    let _ = forward.shutdown().await;
}

/// Reads up to and including the next newline, keeping nothing; false at
/// the end of the input.
async fn skip_rest_of_line<R: AsyncRead + Unpin>(read: &mut BufReader<R>) -> bool {
    let mut scratch = Vec::new();
    loop {
        scratch.clear();
        match read
            .take(PIPE_BYTES as u64)
            .read_until(b'\n', &mut scratch)
            .await
        {
            Ok(0) | Err(_) => return false,
            Ok(_) if scratch.ends_with(b"\n") => return true,
            Ok(_) => {}
        }
    }
}

/// What one input line is.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    /// Only white space: skipped, as rmcp skips empty lines.
    Blank,
    /// One JSON value (message or not: rmcp judges that).
    Json,
    /// Anything else.
    NotJson,
}

fn classify(line: &[u8]) -> Line {
    // RFC 8259 lets a parser skip a leading byte order mark; rmcp does.
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Line::Blank;
    }
    // JSON text is UTF-8 (RFC 8259); skipping a string's contents does not
    // check that, so it is checked first.
    let Ok(text) = std::str::from_utf8(line) else {
        return Line::NotJson;
    };
    match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Ok(_) => Line::Json,
        Err(_) => Line::NotJson,
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

    use super::*;

    #[test]
    fn lines_are_told_apart() {
        assert_eq!(classify(b"{\"jsonrpc\":\"2.0\"}\n"), Line::Json);
        assert_eq!(classify(b"\xEF\xBB\xBF[1, 2]\r\n"), Line::Json);
        assert_eq!(classify(b"  \r\n"), Line::Blank);
        assert_eq!(classify(b"this is not json\n"), Line::NotJson);
        assert_eq!(classify(b"{\"jsonrpc\": \n"), Line::NotJson);
        assert_eq!(classify(b"{\"a\":\"\xff\"}\n"), Line::NotJson);
        assert_eq!(classify(b"{} {}\n"), Line::NotJson);
    }

    #[tokio::test]
    async fn a_line_that_is_not_json_gets_a_parse_error_and_the_next_goes_through() {
        let (mut client_out, server_in) = tokio::io::duplex(4096);
        let (server_out, client_in) = tokio::io::duplex(4096);
        let mut transport = ParseErrorAnswering::new(server_in, server_out);
        client_out
            .write_all(b"not json at all\n{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}\n")
            .await
            .unwrap();
        let message = transport.receive().await.expect("the ping");
        let message = serde_json::to_value(&message).unwrap();
        assert_eq!(message["method"], "ping");
        assert_eq!(message["id"], 7);

        let mut answers = tokio::io::BufReader::new(client_in).lines();
        let answer: serde_json::Value =
            serde_json::from_str(&answers.next_line().await.unwrap().unwrap()).unwrap();
        assert_eq!(answer["jsonrpc"], "2.0");
        assert_eq!(answer["error"]["code"], -32700);
        assert!(answer.get("id").is_none_or(serde_json::Value::is_null));

        // A broken line just before the end is still answered.
        client_out.write_all(b"{oops\n").await.unwrap();
        drop(client_out);
        assert!(transport.receive().await.is_none());
        let answer: serde_json::Value =
            serde_json::from_str(&answers.next_line().await.unwrap().unwrap()).unwrap();
        assert_eq!(answer["error"]["code"], -32700);
    }
}
