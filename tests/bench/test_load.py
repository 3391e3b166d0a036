"""The benchmarks' load client (`bench/load.py` driving wrk with `bench/wrk.lua`) against a
small HTTP server that records what it receives: every POST is a new request with the id
the client says it sent, the bodies are the ones given, and the answers are counted by
status. Needs wrk (`make test` installs it where apt-get can)."""

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import load

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")


class Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the web server answers

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.lock:
            self.server.received.append((self.headers["Authorization"], body))
            status = 202 if len(self.server.received) % 10 else 409  # every tenth refused
        self._answer(status)

    def do_GET(self):
        self._answer(200)

    def _answer(self, status):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.received, server.lock = [], threading.Lock()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_each_post_is_a_new_request_with_the_id_the_client_reports(recorder):
    bodies = [{"category": "noise", "description": "夜间施工噪音扰民 100%", "building_id": 7},
              {"category": "property-leak", "description": "楼上漏水", "building_id": 8}]
    done = load.run(f"http://127.0.0.1:{recorder.server_port}/intake", clients=4, seconds=1, token="t0k", bodies=bodies,
                    run_id="bench-test")

    received = recorder.received
    assert received and done.answered <= len(received) <= len(done.sent_ids)
    ids = [body.pop("client_request_id") for _, body in received]
    assert len(set(ids)) == len(ids)  # no request repeated
    assert set(ids) <= set(done.sent_ids) and all(i.startswith("bench-test-1-") for i in ids)
    assert all(auth == "Bearer t0k" for auth, _ in received)
    assert all(body in bodies for _, body in received)  # "%" and Chinese text arrive intact
    assert {body["building_id"] for _, body in received} == {7, 8}  # the bodies are cycled
    assert done.statuses["202"] + done.statuses["409"] == done.answered and done.statuses["409"] > 0
    assert done.latency_ms["p50_ms"] <= done.latency_ms["p99_ms"] <= done.latency_ms["max_ms"]
    assert done.client_cpu_s > 0 and 0.9 < done.seconds < 2


def test_without_a_token_it_gets_the_url(recorder):
    done = load.run(f"http://127.0.0.1:{recorder.server_port}/healthz", clients=2, seconds=1)
    assert done.answered > 0 and done.statuses == {"200": done.answered}
    assert done.sent_ids == [] and recorder.received == []
    assert done.summary()["throughput_per_s"] == round(done.answered / done.seconds, 1)


def test_a_server_that_does_not_answer_stops_the_benchmark_with_wrks_reason():
    with pytest.raises(RuntimeError, match="unable to connect"):
        load.run("http://127.0.0.1:1/healthz", clients=1, seconds=1)
