"""A real SMTP server for microcred's mail tests: aiosmtpd, keeping each message it accepts
as a JSON file (recipients, subject and text, decoded) in a directory, and refusing mail with
451 while a file named `refuse` is in that directory.

Usage: server.py --port PORT --dir DIR. Prints `ready` once it listens; runs until killed.
Exits with 2 when aiosmtpd is not installed.
"""

import argparse
import email
import email.policy
import json
import os
import pathlib
import signal
import sys
import threading

try:
    from aiosmtpd.controller import Controller
except ImportError:
    print("aiosmtpd is not installed", file=sys.stderr)
    sys.exit(2)


class Keep:
    def __init__(self, directory):
        self.directory = pathlib.Path(directory)
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if (self.directory / "refuse").exists():
            return "451 4.3.0 Mailbox busy, try again later"
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        kept = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": str(message["subject"]),
            "text": body.get_content() if body is not None else "",
        }
        with self.lock:
            self.count += 1
            name = f"mail-{self.count:06d}.json"
        partial = self.directory / (name + ".part")
        partial.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, self.directory / name)
        return "250 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    controller = Controller(Keep(args.dir), hostname="127.0.0.1", port=args.port)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
