"""The test harness's port picking: ports for test servers stay out of the ephemeral range."""

from __future__ import annotations

from peers import _ephemeral_low, free_cluster_port, free_port


def test_free_ports_lie_below_the_ephemeral_range_and_are_handed_out_once() -> None:
    low = _ephemeral_low()
    ports = [free_port() for _ in range(100)]
    assert all(20000 <= port < low for port in ports)
    assert len(set(ports)) == len(ports)


def test_a_cluster_nodes_bus_port_lies_below_the_ephemeral_range_too() -> None:
    low = _ephemeral_low()
    for _ in range(10):
        assert free_cluster_port() + 10000 < low
