from __future__ import annotations

from collections.abc import Iterator

import pytest

from peers import BrokerProcess, RedisClusterSetup, RedisProcess, SentinelSetup, TestIssuer


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
