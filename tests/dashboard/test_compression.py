"""The callbacks' answers go gzip-compressed to a client that accepts it, and nothing else does."""

from __future__ import annotations

import gzip
import json

from flask import Flask

from dashboard.compression import MIN_BYTES, install_callback_compression
from dashboard.security import CALLBACK_PATH

ANSWER = {"response": {"details": {"children": ["本文の文 P6.2"] * 200}}, "multi": True}


def _server(answer: object = ANSWER) -> Flask:
    server = Flask(__name__)
    install_callback_compression(server)
    install_callback_compression(server)  # a second call does nothing

    @server.post(CALLBACK_PATH)
    def callback():
        return answer

    @server.post("/other")
    def other():
        return answer

    return server


def test_a_callback_answer_is_gzipped_for_a_client_that_accepts_it():
    client = _server().test_client()
    plain = client.post(CALLBACK_PATH)
    assert "Content-Encoding" not in plain.headers and json.loads(plain.data) == ANSWER
    packed = client.post(CALLBACK_PATH, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Vary"] == "Accept-Encoding"
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 4
    assert json.loads(gzip.decompress(packed.data)) == ANSWER


def test_other_paths_small_answers_and_refusing_clients_are_left_alone():
    gzip_ok = {"Accept-Encoding": "gzip"}
    client = _server().test_client()
    assert "Content-Encoding" not in client.post("/other", headers=gzip_ok).headers
    refused = {"Accept-Encoding": "gzip;q=0, identity"}
    assert "Content-Encoding" not in client.post(CALLBACK_PATH, headers=refused).headers
    small = _server("x" * (MIN_BYTES - 1)).test_client().post(CALLBACK_PATH, headers=gzip_ok)
    assert "Content-Encoding" not in small.headers and small.data == b"x" * (MIN_BYTES - 1)
