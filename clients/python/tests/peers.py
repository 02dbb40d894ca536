"""Real peers for the tests: redis-server processes (standalone, Sentinel, Cluster), a test
issuer serving a JWKS and minting tokens, and the packaged broker. No mocks."""

from __future__ import annotations

import base64
import contextlib
import http.server
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

REPO_ROOT = Path(__file__).resolve().parents[3]
BROKER_JAR = REPO_ROOT / "broker" / "target" / "quarkus-app" / "quarkus-run.jar"


# Ports for test servers come from below the kernel's ephemeral range: a port handed out by
# bind(0) lies inside it, and an outgoing connection could take it as its source port before the
# server binds it ("Address already in use"). Same rule as the Java tests' FreePorts.
_LOWEST_PORT = 20000
_DEFAULT_EPHEMERAL_LOW = 32768
_handed_out: set[int] = set()


def _ephemeral_low() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.readline().split()[0])
    except (OSError, ValueError, IndexError):
        return _DEFAULT_EPHEMERAL_LOW


def _is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _pick(companion_offset: int) -> int:
    high = min(_ephemeral_low(), _DEFAULT_EPHEMERAL_LOW) - companion_offset
    if high <= _LOWEST_PORT:
        raise RuntimeError("no room below the ephemeral port range for test servers")
    size = high - _LOWEST_PORT
    start = random.randrange(size)
    for i in range(size):
        port = _LOWEST_PORT + (start + i) % size
        companion = port + companion_offset
        if port in _handed_out or companion in _handed_out:
            continue
        if _is_free(port) and _is_free(companion):
            _handed_out.update((port, companion))
            return port
    raise RuntimeError(f"no free loopback port in [{_LOWEST_PORT}, {high})")


def free_port() -> int:
    """A loopback port below the ephemeral range, free a moment ago, not handed out before."""
    return _pick(0)


def free_cluster_port() -> int:
    """A free port whose cluster bus port (port + 10000) is free too, both below the range."""
    return _pick(10000)


def signed_in_recently() -> datetime:
    """A session's ``created_at`` a minute ago: before revocations written now, after the
    watermark a client raises at start over what the stream's retention may have trimmed, so
    ``is_revoked`` answers from the revocations it read (an unknown age would always be revoked)."""
    return datetime.now(timezone.utc) - timedelta(minutes=1)


def wait_until(condition: Any, timeout: float = 30.0, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {message}")


def _redis_server() -> str:
    found = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(found).exists():
        raise RuntimeError("redis-server is needed (Debian package redis-server)")
    return found


class RedisProcess:
    """A redis-server on a free loopback port with append-only persistence, so a restart on the
    same port keeps the streams (as a production Redis would)."""

    def __init__(self, extra: list[str] | None = None, port: int | None = None) -> None:
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="sb-redis-"))
        self._extra = extra or []
        self._process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self, extra: list[str] | None = None) -> None:
        """Starts (again) on the same port and folder, with ``extra`` arguments for this run."""
        command = [
            _redis_server(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--protected-mode", "no",
            "--dir", str(self.dir),
            "--logfile", str(self.dir / "redis.log"),
            *self._extra,
            *(extra or []),
        ]  # fmt: skip
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_until(self.serving, 60, f"redis-server on {self.port}")

    def serving(self) -> bool:
        """Answers commands (data loaded), with or without a password set."""
        try:
            reply = self.command("PING")
        except OSError:
            return False
        return reply == "PONG" or reply.startswith("NOAUTH")

    def ping(self) -> bool:
        try:
            return self.command("PING") == "PONG"
        except OSError:
            return False

    def command(self, *args: str) -> str:
        """One command over a raw socket; returns the first line of the reply without its type."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
            s.sendall(_resp(args))
            return s.recv(65536).decode().split("\r\n")[0][1:]

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(10)
            self._process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def _resp(args: tuple[str, ...] | list[str]) -> bytes:
    out = f"*{len(args)}\r\n"
    for arg in args:
        out += f"${len(arg.encode())}\r\n{arg}\r\n"
    return out.encode()


class SentinelSetup:
    """A master and one Sentinel monitoring it (quorum 1), as the Java tests' RedisSentinelSetup."""

    MASTER_NAME = "sbmaster"

    def __init__(self) -> None:
        self.master = RedisProcess()
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="sb-sentinel-"))
        config = self.dir / "sentinel.conf"
        config.write_text(
            "\n".join(
                [
                    f"port {self.port}",
                    "bind 127.0.0.1",
                    f"dir {self.dir}",
                    f"logfile {self.dir / 'sentinel.log'}",
                    f"sentinel monitor {self.MASTER_NAME} 127.0.0.1 {self.master.port} 1",
                    f"sentinel down-after-milliseconds {self.MASTER_NAME} 2000",
                    "",
                ]
            )
        )
        self._process = subprocess.Popen(
            [_redis_server(), str(config), "--sentinel"], stdout=subprocess.DEVNULL
        )
        wait_until(self._ready, 60, "redis sentinel")

    def _ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                s.sendall(_resp(["SENTINEL", "get-master-addr-by-name", self.MASTER_NAME]))
                return str(self.master.port) in s.recv(4096).decode()
        except OSError:
            return False

    @property
    def url(self) -> str:
        return f"redis-sentinel://127.0.0.1:{self.port}#{self.MASTER_NAME}"

    def close(self) -> None:
        self._process.kill()
        self._process.wait(10)
        self.master.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class RedisClusterSetup:
    """Three cluster-enabled masters joined by ``redis-cli --cluster create``."""

    def __init__(self) -> None:
        self.nodes = [
            RedisProcess(
                ["--cluster-enabled", "yes", "--cluster-node-timeout", "2000"],
                port=free_cluster_port(),
            )
            for _ in range(3)
        ]
        command = ["redis-cli", "--cluster", "create"]
        command += [f"127.0.0.1:{node.port}" for node in self.nodes]
        command += ["--cluster-replicas", "0", "--cluster-yes"]
        subprocess.run(
            command, check=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=120
        )

        def ok() -> bool:
            return all(
                "cluster_state:ok" in _raw(node.port, ["CLUSTER", "INFO"]) for node in self.nodes
            )

        wait_until(ok, 120, "cluster_state:ok")

    @property
    def url(self) -> str:
        return ",".join(node.url for node in self.nodes)

    def close(self) -> None:
        for node in self.nodes:
            node.close()


def _raw(port: int, args: list[str]) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(_resp(args))
        return s.recv(65536).decode()


class TestIssuer:
    """An OpenID provider stand-in: discovery and JWKS over HTTP, RS256 tokens with any claims."""

    __test__ = False

    def __init__(self, realm: str = "test") -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-" + uuid.uuid4().hex[:8]
        self.realm = realm
        issuer = self
        numbers = self._key.public_key().public_numbers()

        def b64(value: int) -> str:
            raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        jwk = {"kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256"}
        jwk |= {"n": b64(numbers.n), "e": b64(numbers.e)}

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                base = issuer.url + "/protocol/openid-connect"
                if self.path.endswith("/.well-known/openid-configuration"):
                    body: dict[str, Any] = {
                        "issuer": issuer.url,
                        "authorization_endpoint": base + "/auth",
                        "token_endpoint": base + "/token",
                        "end_session_endpoint": base + "/logout",
                        "jwks_uri": base + "/certs",
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "response_types_supported": ["code"],
                        "subject_types_supported": ["public"],
                    }
                elif self.path.endswith("/protocol/openid-connect/certs"):
                    body = {"keys": [jwk]}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        class Handler(Handler):  # type: ignore[no-redef]
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                grant = form.get("grant_type", [""])[0]
                client_id = form.get("client_id", [""])[0]
                if not self.path.endswith("/protocol/openid-connect/token"):
                    self.send_error(404)
                    return
                if grant == "client_credentials":
                    body: dict[str, Any] = {"access_token": issuer.access_token(client_id)}
                elif grant == "authorization_code" and issuer.next_login is not None:
                    login, issuer.next_login = issuer.next_login, None
                    body = {
                        "access_token": issuer.access_token(
                            client_id, sub=login["sub"], sid=login["sid"]
                        ),
                        "id_token": issuer.sign(
                            {
                                "sub": login["sub"],
                                "aud": client_id,
                                "azp": client_id,
                                "typ": "ID",
                                "sid": login["sid"],
                                "nonce": login["nonce"],
                                "email": login["sub"] + "@example.com",
                                "exp": int(time.time()) + 300,
                            }
                            # A sign-in that Keycloak completed earlier (e.g. before a logout).
                            | ({"iat": int(login["iat"])} if "iat" in login else {})
                        ),
                    }
                    issuer.userinfo = {
                        "sub": login["sub"],
                        "email": login["sub"] + "@example.com",
                        "preferred_username": login["sub"],
                    }
                else:
                    self.send_error(400)
                    return
                body |= {"token_type": "Bearer", "expires_in": 300}
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.endswith("/protocol/openid-connect/userinfo"):
                    data = json.dumps(issuer.userinfo).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                super().do_GET()

        self.next_login: dict[str, str] | None = None
        self.userinfo: dict[str, str] = {}
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/realms/{self.realm}"

    def sign(self, claims: dict[str, Any], typ: str = "JWT") -> str:
        now = int(time.time())
        full = {"iss": self.url, "iat": now, "jti": str(uuid.uuid4())} | claims
        return jwt.encode(full, self._key, algorithm="RS256", headers={"kid": self.kid, "typ": typ})

    def access_token(self, client_id: str, **claims: Any) -> str:
        base = {
            "sub": "service-account-" + client_id,
            "preferred_username": "service-account-" + client_id,
            "client_id": client_id,
            "aud": ["session-broker", "account"],
            "azp": client_id,
            "typ": "Bearer",
            "exp": int(time.time()) + 300,
        }
        return self.sign(base | claims)

    def id_token(self, client_id: str, sid: str, sub: str) -> str:
        return self.sign(
            {
                "sub": sub,
                "aud": client_id,
                "azp": client_id,
                "typ": "ID",
                "sid": sid,
                "auth_time": int(time.time()),
                "exp": int(time.time()) + 300,
            }
        )

    def logout_token(self, client_id: str, sid: str | None, sub: str | None) -> str:
        claims: dict[str, Any] = {
            "aud": client_id,
            "typ": "Logout",
            "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
            "exp": int(time.time()) + 120,
        }
        if sid:
            claims["sid"] = sid
        if sub:
            claims["sub"] = sub
        return self.sign(claims, typ="logout+jwt")

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class BrokerProcess:
    """The packaged broker (``broker/target/quarkus-app/quarkus-run.jar``, built by the Maven
    reactor before this module) as its own JVM on a free port."""

    def __init__(self, redis_url: str, issuer: TestIssuer) -> None:
        if not BROKER_JAR.exists():
            raise RuntimeError(f"{BROKER_JAR} is missing: build the broker first (./mvnw package)")
        self.port = free_port()
        self.management_port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="sb-broker-"))
        java = Path(os.environ["JAVA_HOME"], "bin", "java") if "JAVA_HOME" in os.environ else "java"
        command = [
            str(java),
            "-Xmx256m",
            f"-Dquarkus.http.port={self.port}",
            "-Dquarkus.http.host=127.0.0.1",
            f"-Dquarkus.management.port={self.management_port}",
            "-Dquarkus.management.host=127.0.0.1",
            "-Dquarkus.log.level=WARN",
            f"-Dquarkus.redis.hosts={redis_url}",
            f"-Dsession-broker.issuers.{issuer.realm}.url={issuer.url}",
            f"-Dsession-broker.outbox.directory={self.dir / 'outbox'}",
            "-jar",
            str(BROKER_JAR),
        ]
        self._log = open(self.dir / "broker.log", "wb")  # noqa: SIM115 - closed in close()
        self._process = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_until(self._ready, 300, "the broker's readiness")
        except AssertionError as e:
            # Read before close(), which deletes the directory with the log.
            log = (self.dir / "broker.log").read_text()
            self.close()
            raise AssertionError(f"broker did not become ready ({e}); log:\n{log}") from None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _ready(self) -> bool:
        if self._process.poll() is not None:
            raise AssertionError("broker exited: " + (self.dir / "broker.log").read_text())
        try:
            health = f"http://127.0.0.1:{self.management_port}/q/health/ready"
            with urllib.request.urlopen(health, timeout=2) as r:
                if r.status != 200:
                    return False
            # The management interface may bind before the API port the tests call.
            with socket.create_connection(("127.0.0.1", self.port), timeout=2):
                return True
        except (urllib.error.URLError, OSError):
            return False

    def backchannel_logout(self, logout_token: str) -> int:
        data = urllib.parse.urlencode({"logout_token": logout_token}).encode()
        request = urllib.request.Request(self.url + "/backchannel-logout", data=data)
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return int(r.status)
        except urllib.error.HTTPError as e:
            return int(e.code)

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(10)
        self._log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
