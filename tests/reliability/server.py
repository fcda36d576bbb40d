"""The live server plus what a crash test needs: every process id, and kill -9."""

import os
import signal
import time
from pathlib import Path

from tests.live_server import LiveServer


class Server(LiveServer):
    def worker_pids(self) -> list[int]:
        """The master's children, as the kernel lists them."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def connections_in_hand(self) -> int:
        """Client connections the workers have accepted and not closed, as the kernel lists them
        (one waiting in the listen queue is not counted: no worker has it yet)."""
        port = int(self.url.rsplit(":", 1)[1])
        established = set()
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].split(":")[1], 16) == port and fields[3] == "01":  # local port, ESTABLISHED
                established.add(f"socket:[{fields[9]}]")  # inode
        held = 0
        for pid in self.worker_pids():
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    held += os.readlink(fd) in established
                except FileNotFoundError:
                    pass  # closed meanwhile
        return held

    def kill9(self) -> list[int]:
        """SIGKILL the master and every worker at once: nothing gets to clean up."""
        pids = [self.pid, *self.worker_pids()]
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        self._process.wait()
        self._process = None
        for pid in pids[1:]:
            wait_gone(pid)
        return pids


def wait_gone(pid: int, seconds: float = 10.0) -> None:
    """Until the process is gone or a zombie (killed, waiting for init to reap it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return
        if state in ("Z", "X"):
            return
        time.sleep(0.02)
    raise RuntimeError(f"process {pid} survived kill -9")
