"""Proof that each production part is really used when its environment variable names it.

Every test marked `services` skips when its variable is missing (the embedded default); `.ci/run`
sets them all and, with CI=true, a skip counts as a failure. The worker and the ASGI server run
as real subprocesses on the same settings, so a task result or a websocket message that comes
back has crossed Redis between two processes.
"""

import contextlib
import json
import os
import posixpath
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 60.0

# --- Helpers ----------------------------------------------------------------------------------


def require_env(*names: str) -> None:
    """Skip (a failure under CI=true) unless every named variable is set."""
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (the embedded default is in use)")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_answers(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def service_env(**extra: str) -> dict[str, str]:
    """The test process's environment (so DATABASE_URL, REDIS_URL, AWS_* carry over) on the test
    settings, unbuffered so that a failure shows the subprocess's last words."""
    env = dict(os.environ)
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


@dataclass
class Service:
    """A subprocess in its own process group, its output going to a file (no pipe to fill)."""

    name: str
    proc: subprocess.Popen
    log_path: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def describe(self) -> str:
        return (
            f"--- {self.name} (pid {self.pid}, exit {self.proc.poll()}) output ---\n{self.output()}"
        )

    def wait_until(self, ready: Callable[[], bool], what: str, timeout: float = STARTUP_TIMEOUT):
        """Poll `ready` until true; fail with the output if the process dies or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"{self.name} exited before {what}\n{self.describe()}")
            if ready():
                return
            time.sleep(0.2)
        pytest.fail(f"{self.name}: no {what} within {timeout:.0f} s\n{self.describe()}")

    @contextlib.contextmanager
    def explained(self) -> Iterator[None]:
        """On any failure inside the block, print the subprocess's output (pytest shows it)."""
        try:
            yield
        except BaseException:
            print(self.describe())
            raise

    def stop(self, timeout: float = 15.0) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout)


@contextlib.contextmanager
def running(name: str, args: list[str], log_dir: Path, **env: str) -> Iterator[Service]:
    """Start `args` from the project root with the service environment; stop it afterwards."""
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            args,
            cwd=BASE_DIR,
            env=service_env(**env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() never reaches pytest
        )
    service = Service(name, proc, log_path)
    try:
        yield service
    finally:
        service.stop()


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.mark.services
def test_postgresql_is_the_database(db):
    # `db` in the signature, not getfixturevalue(): pytest-django creates the test databases only
    # for tests that name it statically.
    require_env("DATABASE_URL")
    from django.db import connection

    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_database()")
        version, database = cursor.fetchone()
    assert version.startswith("PostgreSQL "), version
    assert database == connection.settings_dict["NAME"]
    assert database.startswith("test_"), database


def test_production_settings_use_the_connection_pool():
    """Production settings turn on Django's PostgreSQL pool (so CONN_MAX_AGE must be 0)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="p" * 20 + uuid.uuid4().hex + "q" * 10,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/anyang",
        REDIS_URL="redis://127.0.0.1:6379/15",
        AWS_STORAGE_BUCKET_NAME="anyang-settings-check",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID="settings-check",
        AWS_SECRET_ACCESS_KEY="settings-check",
        ID_NUMBER_KEYS="c2FtcGxlLW9ubHktZ2VuZXJhdGUteW91ci1vd24ta2V5MDE=",
        ID_NUMBER_HASH_KEY="settings-check-digest-key-0123456789abcdef",
        TRUSTED_PROXY_COUNT="1",
    )
    code = (
        "import json; from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(json.dumps({'engine': d['ENGINE'], 'pool': d.get('OPTIONS', {}).get('pool'), "
        "'conn_max_age': d['CONN_MAX_AGE'], 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
        "'broker': s.CELERY_BROKER_URL, 'layer': s.CHANNEL_LAYERS['default']['BACKEND'], "
        "'storage': s.STORAGES['default']['BACKEND']}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["engine"] == "django.db.backends.postgresql"
    assert seen["pool"], seen
    assert seen["pool"] is True or seen["pool"].get("max_size", 0) >= 1, seen
    assert seen["conn_max_age"] == 0
    assert seen["eager"] is False
    assert seen["broker"] == "redis://127.0.0.1:6379/15"
    assert seen["layer"] == "config.channel_layer.ResilientRedisChannelLayer"
    assert seen["storage"] == "storages.backends.s3.S3Storage"


# --- Celery -------------------------------------------------------------------------------------


@pytest.fixture
def celery_worker(tmp_path) -> Iterator[tuple[Service, str]]:
    """A real worker (solo pool: tasks run in its main process) on a queue of its own."""
    require_env("REDIS_URL")
    from config.celery import app as celery_app

    queue = f"svc-test-{uuid.uuid4().hex[:12]}"
    nodename = f"{queue}@{socket.gethostname()}"
    args = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--pool", "solo", "-c", "1", "-Q", queue, "-n", nodename, "--loglevel", "INFO",
        "--without-heartbeat", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    with running("celery worker", args, tmp_path) as worker:
        worker.wait_until(
            lambda: bool(celery_app.control.ping(destination=[nodename], timeout=0.5)),
            "answer to a control ping",
        )
        yield worker, queue
    _forget_queue(queue)


def _forget_queue(queue: str) -> None:
    """Remove the test queue's keys from Redis (the worker is gone)."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    try:
        client.delete(queue, f"_kombu.binding.{queue}")
    finally:
        client.close()


@pytest.mark.services
def test_celery_task_runs_in_a_real_worker(celery_worker):
    from config.celery import app as celery_app
    from config.celery import health_ping

    worker, queue = celery_worker
    assert os.environ["REDIS_URL"] == settings.CELERY_BROKER_URL
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with worker.explained():
            result = health_ping.apply_async(queue=queue)
            answer = result.get(timeout=60)
            result.forget()
    finally:
        celery_app.conf.task_always_eager = eager

    assert answer["pid"] != os.getpid()
    assert answer["pid"] == worker.pid, (answer, worker.describe())
    from django.db import connection

    assert answer["database"] == connection.vendor


# --- Channels -----------------------------------------------------------------------------------


@pytest.fixture
def uvicorn_process(tmp_path) -> Iterator[tuple[Service, int]]:
    """uvicorn serving config.asgi on a free loopback port, on the test settings."""
    require_env("REDIS_URL")
    port = free_port()
    args = [
        sys.executable, "-m", "uvicorn", "config.asgi:application",
        "--host", "127.0.0.1", "--port", str(port), "--lifespan", "off", "--ws", "websockets-sansio",
    ]  # fmt: skip
    with running("uvicorn", args, tmp_path) as server:
        server.wait_until(lambda: port_answers(port), f"listener on port {port}")
        yield server, port


def health_socket(port: int):
    """A websocket client on the health route, with an Origin the server accepts."""
    from websockets.sync.client import connect

    return connect(
        f"ws://127.0.0.1:{port}/ws/health/",
        origin=f"http://127.0.0.1:{port}",
        open_timeout=15,
        close_timeout=5,
    )


def _recv_json(ws, timeout: float = 10.0) -> dict:
    return json.loads(ws.recv(timeout=timeout))


@pytest.mark.services
def test_websocket_crosses_the_redis_channel_layer(uvicorn_process):
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer
    from channels_redis.core import RedisChannelLayer

    server, port = uvicorn_process
    layer = get_channel_layer()
    assert isinstance(layer, RedisChannelLayer)
    token = uuid.uuid4().hex
    message = f"全体注意 {uuid.uuid4().hex}"

    with server.explained(), health_socket(port) as ws:
        # A pong comes back only through the channel layer, from the server process.
        ws.send(json.dumps({"type": "ping", "token": token}))
        pong = _recv_json(ws)
        assert pong == {
            "type": "pong",
            "token": token,
            "pid": server.pid,
            "layer": "ResilientRedisChannelLayer",
        }
        assert pong["pid"] != os.getpid()

        # A group message sent from this process reaches a socket held by the server process.
        async_to_sync(layer.group_send)("health", {"type": "health.broadcast", "message": message})
        assert _recv_json(ws) == {"type": "broadcast", "message": message}

        # Malformed messages get an error, and the socket stays usable.
        for bad in ("{not json", json.dumps({"type": "nonsense"}), json.dumps([1, 2])):
            ws.send(bad)
            assert _recv_json(ws) == {"type": "error", "status": 400}
        ws.send(json.dumps({"type": "ping", "token": "again"}))
        assert _recv_json(ws)["token"] == "again"

    async_to_sync(layer.close_pools)()


@pytest.mark.services
def test_idle_websocket_outlives_the_channel_layer_poll(uvicorn_process):
    """A consumer waits on Redis with BZPOPMIN for `brpop_timeout` (5 s) at a time; if the Redis
    client's read timeout is not longer than that (redis-py 8 defaults socket_timeout to 5 s),
    the wait raises TimeoutError and every quiet websocket is dropped after a few seconds."""
    from channels_redis.core import RedisChannelLayer

    server, port = uvicorn_process
    idle = RedisChannelLayer.brpop_timeout + 3
    with server.explained(), health_socket(port) as ws:
        ws.send(json.dumps({"type": "ping", "token": "before"}))
        assert _recv_json(ws)["token"] == "before"
        with pytest.raises(TimeoutError):  # nothing arrives, and the server must not hang up
            ws.recv(timeout=idle)
        ws.send(json.dumps({"type": "ping", "token": "after"}))
        assert _recv_json(ws)["token"] == "after"


# --- S3 -----------------------------------------------------------------------------------------


def _s3_client():
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        region_name=os.environ.get("AWS_S3_REGION_NAME") or None,
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID") or None,
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
    )


@pytest.fixture
def s3_bucket():
    """The configured bucket, created if the S3-compatible server does not have it yet."""
    require_env("AWS_STORAGE_BUCKET_NAME")
    from botocore.exceptions import ClientError

    bucket = os.environ["AWS_STORAGE_BUCKET_NAME"]
    client = _s3_client()
    try:
        client.head_bucket(Bucket=bucket)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
            raise
        region = client.meta.region_name
        if region and region != "us-east-1":
            client.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region}
            )
        else:
            client.create_bucket(Bucket=bucket)
    return client, bucket


@pytest.mark.services
def test_files_go_to_s3(s3_bucket):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from storages.backends.s3 import S3Storage

    client, bucket = s3_bucket
    assert isinstance(default_storage, S3Storage)
    assert default_storage.bucket_name == bucket

    payload = f"学时证明 {uuid.uuid4().hex}".encode()
    name = default_storage.save(f"ci-services/{uuid.uuid4().hex}/证明.txt", ContentFile(payload))
    key = posixpath.join(default_storage.location, name) if default_storage.location else name
    try:
        with default_storage.open(name, "rb") as fh:
            assert fh.read() == payload

        head = client.head_object(Bucket=bucket, Key=key)
        assert head["ContentLength"] == len(payload)

        url = default_storage.url(name)
        assert "X-Amz-Signature=" in url, url
        with urllib.request.urlopen(url, timeout=15) as response:
            assert response.status == 200
            assert response.read() == payload
    finally:
        default_storage.delete(name)
    assert not default_storage.exists(name)


@pytest.mark.services
def test_a_burst_of_group_joins_beyond_the_pool_waits_instead_of_failing(settings):
    """A reconnect storm's joins and leaves, twenty times the pool's connections at once: every
    one lands (the blocking pool makes them wait; redis-py's default pool refused them with "Too
    many connections", and the layer dropped them), so a push reaches every socket."""
    require_env("REDIS_URL")
    import asyncio

    from channels.layers import channel_layers, get_channel_layer

    config = settings.CHANNEL_LAYERS["default"]
    host = {**config["CONFIG"]["hosts"][0], "max_connections": 5}
    settings.CHANNEL_LAYERS = {
        "default": {
            **config,
            "CONFIG": {**config["CONFIG"], "prefix": f"storm-{uuid.uuid4().hex}", "hosts": [host]},
        }
    }
    channel_layers.backends = {}
    layer = get_channel_layer()
    group = "storm"

    async def storm():
        channels = [await layer.new_channel() for _ in range(100)]
        await asyncio.gather(*(layer.group_add(group, channel) for channel in channels))
        await layer.group_send(group, {"type": "storm.push", "n": 1})
        received = await asyncio.gather(
            *(asyncio.wait_for(layer.receive(channel), 10) for channel in channels)
        )
        await asyncio.gather(*(layer.group_discard(group, channel) for channel in channels))
        await layer.flush()
        await layer.close_pools()
        return received

    try:
        received = asyncio.run(storm())
    finally:
        channel_layers.backends = {}
    assert [message["n"] for message in received] == [1] * 100
