from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from peers import BrokerProcess, RedisClusterSetup, RedisProcess, SentinelSetup, TestIssuer

# The client's HTTP calls (urllib) honour http_proxy / HTTPS_PROXY, which a CI machine may set;
# the tests' servers listen on the loopback interface, which no proxy reaches.
for _variable in ("no_proxy", "NO_PROXY"):
    os.environ[_variable] = ",".join(
        filter(None, [os.environ.get(_variable), "127.0.0.1", "localhost"])
    )


@pytest.fixture
def redis_server() -> Iterator[RedisProcess]:
    server = RedisProcess()
    yield server
    server.close()


@pytest.fixture(scope="session")
def sentinel() -> Iterator[SentinelSetup]:
    setup = SentinelSetup()
    yield setup
    setup.close()


@pytest.fixture(scope="session")
def redis_cluster() -> Iterator[RedisClusterSetup]:
    cluster = RedisClusterSetup()
    yield cluster
    cluster.close()


@pytest.fixture(scope="session")
def issuer() -> Iterator[TestIssuer]:
    test_issuer = TestIssuer("test")
    yield test_issuer
    test_issuer.close()


@pytest.fixture(scope="session")
def broker_redis() -> Iterator[RedisProcess]:
    server = RedisProcess()
    yield server
    server.close()


@pytest.fixture(scope="session")
def broker(broker_redis: RedisProcess, issuer: TestIssuer) -> Iterator[BrokerProcess]:
    process = BrokerProcess(broker_redis.url, issuer)
    yield process
    process.close()
