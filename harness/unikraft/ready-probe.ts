/**
 * Is the application in the guest answering? With QEMU user-mode networking a TCP connect to the
 * forwarded port succeeds even when nothing listens in the guest (QEMU accepts, then closes), so
 * readiness is an application-level exchange: an HTTP GET answered with an HTTP/1.x status line, or a
 * redis PING answered with +PONG.
 */
import { createConnection, createServer } from "node:net";

export type ProbeKind = { kind: "http"; path: string } | { kind: "redis" };

/** The request bytes and the reply test of a probe (pure, unit-tested). */
export function probeExchange(p: ProbeKind): { request: string; ok: (reply: string) => boolean } {
  if (p.kind === "http") return { request: `GET ${p.path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n`, ok: (r) => /^HTTP\/1\.[01] [1-5]\d\d /.test(r) };
  return { request: "PING\r\n", ok: (r) => r.startsWith("+PONG") };
}

/** One attempt: resolves true when the reply arrives and passes, false on refusal, close, bad reply or timeout. */
export function probeOnce(p: ProbeKind, port: number, timeoutMs = 2000): Promise<boolean> {
  const { request, ok } = probeExchange(p);
  return new Promise((resolve) => {
    let reply = "";
    let done = false;
    const finish = (v: boolean) => {
      if (done) return;
      done = true;
      sock.destroy();
      resolve(v);
    };
    const sock = createConnection({ host: "127.0.0.1", port });
    sock.setTimeout(timeoutMs, () => finish(false));
    sock.on("connect", () => sock.write(request));
    sock.on("data", (d) => {
      reply += d.toString("latin1");
      if (reply.includes("\n")) finish(ok(reply));
    });
    sock.on("error", () => finish(false));
    sock.on("close", () => finish(reply !== "" && ok(reply)));
  });
}

/** A TCP port free on 127.0.0.1 right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}
