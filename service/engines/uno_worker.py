"""LibreOffice worker: runs one headless soffice and converts DOCX to PDF in memory over UNO.

Runs under a Python that has the `uno` module (Debian: /usr/bin/python3, package python3-uno), so it
imports only the standard library and uno/unohelper, never project code. The owner (the service's
LibreOfficeConverter) talks to it over stdin/stdout in frames: one kind byte, a 4-byte big-endian length,
then the payload.

    worker → owner at start:  R {"version", "soffice_pid", "sockets"} (JSON)   or  D <reason>
    owner → worker:           C <docx bytes>                        or  Q (quit)
    worker → owner reply:     P <pdf bytes> | E <reason> (document refused) | D <reason> (office gone, exits)

Documents never touch the disk: input is a SequenceInputStream, output an XOutputStream (private:stream).
soffice's profile and temp files live in one directory that is removed when the worker exits.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import pathlib
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from io import BytesIO
from typing import Any
from typing import BinaryIO

HEADER = struct.Struct(">cI")
MAX_FRAME = 256 * 1024 * 1024
RESTART_EXIT_CODE = 81  # soffice.bin asks to be restarted once after creating a fresh profile
PR_SET_PDEATHSIG = 1
FLAGS = (
    "--headless",
    "--invisible",
    "--nologo",
    "--norestore",
    "--nodefault",
    "--nolockcheck",
)
DOCX_FILTER = "MS Word 2007 XML"
PDF_FILTER = "writer_pdf_Export"
WORDML = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WARM_UP_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument"/></Relationships>'
    ),
    "word/document.xml": (
        f'<w:document xmlns:w="{WORDML}"><w:body><w:p><w:r><w:t>Warm-up</w:t></w:r></w:p>'
        "<w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl></w:body></w:document>"
    ),
}


class DocumentError(Exception):
    """LibreOffice refused this document; the office itself is still fine."""


class OfficeGone(Exception):
    """soffice died, hung up or never started: this worker cannot convert any more."""


def read_frame(stream: BinaryIO) -> tuple[bytes, bytes] | None:
    """Return (kind, payload) of the next frame, or None at end of input."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    kind, size = HEADER.unpack(header)
    if size > MAX_FRAME:
        raise ValueError(f"frame of {size} bytes is too big")
    payload = stream.read(size)
    return None if len(payload) < size else (kind, payload)


def write_frame(stream: BinaryIO, kind: bytes, payload: bytes = b"") -> None:
    """Write one frame and flush it."""
    stream.write(HEADER.pack(kind, len(payload)) + payload)
    stream.flush()


def office_binary(soffice: str) -> str:
    """Return soffice.bin beside the resolved `soffice` launcher, else the launcher itself."""
    candidate = os.path.join(os.path.dirname(os.path.realpath(soffice)), "soffice.bin")
    return candidate if os.access(candidate, os.X_OK) else soffice


def _die_with_parent() -> None:
    """In the soffice child: be killed when the worker dies, whatever the way."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class Office:
    """One headless LibreOffice process and its UNO connection."""

    def __init__(self, soffice: str, pipe: str, profile: str) -> None:
        self.soffice, self.pipe, self.profile = soffice, pipe, profile
        self.proc: subprocess.Popen[bytes] | None = None
        self.desktop: Any = None
        self.smgr: Any = None
        self.ctx: Any = None
        self.sockets: list[str] = []

    def launch(self) -> None:
        """Start soffice.bin listening on our private pipe, with its profile and TMPDIR in self.profile."""
        tmp = os.path.join(self.profile, "tmp")
        os.makedirs(tmp, exist_ok=True)
        binary = office_binary(self.soffice)
        # PATH holds only LibreOffice's own directory: otherwise GPGME (signature support) double-forks
        # gpg/gpgconf on the first load, leaving orphans for PID 1 to reap. DOCX→PDF needs no other program.
        env = {
            **os.environ,
            "TMPDIR": tmp,
            "HOME": self.profile,
            "SAL_USE_VCLPLUGIN": "svp",
            "PATH": os.path.dirname(binary),
        }
        accept = f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        profile_url = pathlib.Path(self.profile, "user").absolute().as_uri()
        argv = [binary, *FLAGS, accept, f"-env:UserInstallation={profile_url}"]
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            preexec_fn=_die_with_parent,
        )

    def start(self, timeout: float) -> None:
        """Launch soffice and connect to it over UNO within `timeout` seconds."""
        import uno
        from com.sun.star.connection import NoConnectException

        deadline = time.monotonic() + timeout
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        url = f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        self.launch()
        while True:
            try:
                self.ctx = resolver.resolve(url)
                break
            except NoConnectException:
                pass
            code = self.proc.poll()
            if code == RESTART_EXIT_CODE:
                self.launch()
            elif code is not None:
                raise OfficeGone(f"soffice exited with code {code} while starting")
            if time.monotonic() > deadline:
                raise OfficeGone(f"soffice did not accept a connection within {timeout:.0f} s")
            time.sleep(0.05)
        self.smgr = self.ctx.ServiceManager
        self.desktop = self.smgr.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)
        self.sockets = listening_sockets(self.proc.pid)

    def version(self) -> str:
        """Return LibreOffice's version string, e.g. 7.4.7.2."""
        provider = self.smgr.createInstanceWithContext(
            "com.sun.star.configuration.ConfigurationProvider", self.ctx
        )
        access = provider.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationAccess",
            (props(nodepath="/org.openoffice.Setup/Product")),
        )
        return str(access.getByName("ooSetupVersionAboutBox"))

    def convert(self, docx: bytes) -> bytes:
        """Return the PDF of a DOCX, in memory; raise DocumentError or OfficeGone."""
        try:
            return self._convert(docx)
        except DocumentError:
            raise
        except Exception as exc:
            if not self.alive():
                raise OfficeGone(f"soffice stopped during a conversion ({type(exc).__name__})") from exc
            raise DocumentError(f"{type(exc).__name__}: {str(exc)[:200]}") from exc

    def _convert(self, docx: bytes) -> bytes:
        """Load from a SequenceInputStream, store writer_pdf_Export into an XOutputStream."""
        import uno

        stream = self.smgr.createInstanceWithContext("com.sun.star.io.SequenceInputStream", self.ctx)
        stream.initialize((uno.ByteSequence(docx),))
        document = self.desktop.loadComponentFromURL(
            "private:stream",
            "_blank",
            0,
            props(
                InputStream=stream, FilterName=DOCX_FILTER, Hidden=True, ReadOnly=True, MacroExecutionMode=0
            ),
        )
        if document is None:
            raise DocumentError("LibreOffice could not open the document")
        try:
            sink = make_sink()
            document.storeToURL("private:stream", props(FilterName=PDF_FILTER, OutputStream=sink))
        finally:
            document.close(True)
        return sink.value()

    def alive(self) -> bool:
        """Return whether soffice still runs and answers over UNO."""
        if self.proc is None or self.proc.poll() is not None:
            return False
        try:
            self.desktop.getCurrentComponent()
        except Exception:
            return False
        return True

    def stop(self) -> None:
        """Stop soffice (Desktop.terminate, else KILL), remove its pipe sockets and the profile directory."""
        if self.proc is not None and self.proc.poll() is None:
            if self.desktop is None:  # not connected yet: nobody to ask
                self.proc.kill()
            else:
                polite = threading.Thread(target=self._terminate, daemon=True)
                polite.start()
                polite.join(3)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for path in self.sockets:  # left in /tmp when soffice did not exit by itself
            with contextlib.suppress(OSError):
                os.unlink(path)
        shutil.rmtree(self.profile, ignore_errors=True)

    def _terminate(self) -> None:
        """Ask LibreOffice to quit (it then removes its own pipe sockets)."""
        with contextlib.suppress(Exception):
            self.desktop.terminate()


def warm_up_docx() -> bytes:
    """Return a minimal one-paragraph DOCX, converted once at start so the first real one is fast."""
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, xml in WARM_UP_PARTS.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + xml)
    return out.getvalue()


def listening_sockets(pid: int) -> list[str]:
    """Return the paths of the Unix sockets a process has open (LibreOffice's OSL_PIPE_* in /tmp)."""
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    paths = []
    with contextlib.suppress(OSError), open("/proc/net/unix", encoding="utf-8") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if len(fields) >= 8 and fields[6] in inodes and fields[7].startswith("/"):
                paths.append(fields[7])
    return sorted(set(paths))


def props(**values: Any) -> tuple[Any, ...]:
    """Return a tuple of UNO PropertyValues."""
    from com.sun.star.beans import PropertyValue

    return tuple(PropertyValue(Name=name, Value=value) for name, value in values.items())


def make_sink() -> Any:
    """Return an XOutputStream collecting bytes in memory (class built here: uno must be imported first)."""
    import unohelper
    from com.sun.star.io import XOutputStream

    class Sink(unohelper.Base, XOutputStream):
        """An XOutputStream into a list of chunks."""

        def __init__(self) -> None:
            self.chunks: list[bytes] = []

        def writeBytes(self, data: Any) -> None:  # noqa: N802 (UNO method name)
            self.chunks.append(data.value)

        def flush(self) -> None:
            """Nothing to flush."""

        def closeOutput(self) -> None:  # noqa: N802 (UNO method name)
            """Nothing to close."""

        def value(self) -> bytes:
            return b"".join(self.chunks)

    return Sink()


def serve(office: Office, inp: BinaryIO, out: BinaryIO) -> None:
    """Answer conversion requests until Q, end of input, or the office going away."""
    while (frame := read_frame(inp)) is not None:
        kind, payload = frame
        if kind == b"Q":
            return
        if kind != b"C":
            raise ValueError(f"unknown request kind {kind!r}")
        try:
            write_frame(out, b"P", office.convert(payload))
        except DocumentError as exc:
            write_frame(out, b"E", str(exc).encode())
        except OfficeGone as exc:
            write_frame(out, b"D", str(exc).encode())
            return


def _exit_on_signal(signum: int, _frame: Any) -> None:
    """Turn TERM/INT/HUP into SystemExit so that `finally` stops soffice and removes the profile."""
    raise SystemExit(128 + signum)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Return the command line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--soffice", default=shutil.which("soffice") or "soffice")
    parser.add_argument("--pipe", default=f"uno-worker-{os.getpid()}")
    parser.add_argument("--profile", help="directory for soffice's profile (default: a fresh temp dir)")
    parser.add_argument("--start-timeout", type=float, default=60.0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Start soffice, report readiness, serve requests; always stop soffice and remove the profile."""
    args = parse_args(argv)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray output from LibreOffice libraries must not corrupt the frames
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    office = Office(args.soffice, args.pipe, args.profile or tempfile.mkdtemp(prefix="uno-worker-"))
    try:
        office.start(args.start_timeout)
        if not office.convert(warm_up_docx()).startswith(b"%PDF-"):
            raise OfficeGone("the warm-up conversion gave no PDF")
        ready = {"version": office.version(), "soffice_pid": office.proc.pid, "sockets": office.sockets}
        write_frame(out, b"R", json.dumps(ready).encode())
        serve(office, sys.stdin.buffer, out)
    except (OfficeGone, ImportError) as exc:
        write_frame(out, b"D", str(exc).encode())
        return 1
    except (BrokenPipeError, ValueError):
        return 1
    finally:
        office.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
