"""Attaching to an existing Ray cluster: the shipped launcher config names no setting Ray refuses
for a running cluster, and an address where no Ray GCS answers is refused in one line, in
bounded time, before any run; a cluster that wants its token is named before Ray retries for a
minute. (No test starts a real cluster, for CI time; a real loopback head runs a sweep as
docs/cluster.md shows.)
"""

import socket
import time

import pytest
from omegaconf import OmegaConf

from sim.config import ConfigError, compose_config
from sim.plugins import GCS_PROBE, RAY_LAUNCHERS, check_ray_reachable


def _launcher(address):
    return OmegaConf.create({"_target_": RAY_LAUNCHERS[1], "ray": {"init": {"address": address}}})


def test_the_shipped_config_attaches_without_sizing_the_cluster():
    pytest.importorskip("hydra_plugins.hydra_ray_launcher", reason="needs the cluster extra")
    cfg = compose_config(["hydra/launcher=ray_cluster", "hydra.launcher.ray.init.address=h:1"],
                         keep_hydra=True)
    init = OmegaConf.to_container(cfg.hydra.launcher.ray.init)
    assert init == {"address": "h:1"}  # no num_cpus, no object_store_memory


def _gcs_like_server(code):
    """A gRPC server answering the probe as a Ray GCS does without the cluster's token
    (UNAUTHENTICATED, checked against Ray 2.60's `ray start --head`) or with `code`."""
    grpc = pytest.importorskip("grpc", reason="grpcio comes with Ray (the cluster extra)")
    from concurrent import futures

    def answer(request, context):
        context.abort(code, "InvalidAuthToken: Authentication token is missing or incorrect")

    class Handler(grpc.GenericRpcHandler):
        def service(self, details):
            return grpc.unary_unary_rpc_method_handler(answer) if details.method == GCS_PROBE \
                else None

    server = grpc.server(futures.ThreadPoolExecutor(1), handlers=[Handler()])
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, port


def test_a_ray_gcs_passes_and_another_grpc_server_is_refused(monkeypatch):
    grpc = pytest.importorskip("grpc", reason="grpcio comes with Ray (the cluster extra)")
    server, port = _gcs_like_server(grpc.StatusCode.UNAUTHENTICATED)
    try:
        monkeypatch.delenv("RAY_AUTH_MODE", raising=False)  # Ray would not send the token
        with pytest.raises(ConfigError, match=r"requires its authentication token.*"
                                              r"export RAY_AUTH_MODE=token"):
            check_ray_reachable(_launcher(f"127.0.0.1:{port}"), timeout_s=5)
        monkeypatch.setenv("RAY_AUTH_MODE", "token")
        check_ray_reachable(_launcher(f"127.0.0.1:{port}"), timeout_s=5)
    finally:
        server.stop(None)
    server, port = _gcs_like_server(grpc.StatusCode.UNIMPLEMENTED)
    try:
        with pytest.raises(ConfigError, match="something answers there, but not a Ray GCS"):
            check_ray_reachable(_launcher(f"127.0.0.1:{port}"), timeout_s=5)
    finally:
        server.stop(None)


def test_a_listening_socket_that_is_not_ray_is_refused():
    pytest.importorskip("grpc", reason="grpcio comes with Ray (the cluster extra)")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with pytest.raises(ConfigError, match="no Ray cluster answers"):
            check_ray_reachable(_launcher(f"127.0.0.1:{server.getsockname()[1]}"), timeout_s=1)


def test_a_closed_port_is_refused_in_one_line():
    pytest.importorskip("grpc", reason="grpcio comes with Ray (the cluster extra)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free once closed: nothing listens there
    with pytest.raises(ConfigError, match=f"no Ray cluster answers at 127.0.0.1:{port} within"):
        check_ray_reachable(_launcher(f"127.0.0.1:{port}"), timeout_s=2)


def test_an_address_that_never_answers_times_out():
    pytest.importorskip("grpc", reason="grpcio comes with Ray (the cluster extra)")
    started = time.monotonic()
    with pytest.raises(ConfigError, match=r"within 0\.5 s"):
        check_ray_reachable(_launcher("10.255.255.1:6379"), timeout_s=0.5)  # non-routable
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(("address", "message"), [
    ("???", "is required by this launcher"),
    ("no-port", "is not HOST:PORT"),
])
def test_a_missing_or_malformed_address_is_refused(address, message):
    with pytest.raises(ConfigError, match=message):
        check_ray_reachable(_launcher(address), timeout_s=0.5)


@pytest.mark.parametrize("address", [None, "auto", "local", "ray://head:10001"])
def test_addresses_ray_resolves_itself_pass(address):
    check_ray_reachable(_launcher(address), timeout_s=0.5)
