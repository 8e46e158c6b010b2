"""The channel gateway: messages to the assistant, replies back, the log."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from hub_support import LI, ZHANG, assert_error, login

from hub.chat.gateway import AssistantUnavailable, RasaGateway

MESSAGES = "/api/v1/chat/messages"


def test_a_message_gets_the_bots_replies_with_buttons(client, li_headers, assistant):
    response = client.post(MESSAGES, json={"text": "  hello  "}, headers=li_headers)
    assert response.status_code == 200, response.text
    replies = response.json()["messages"]
    assert [m["sender"] for m in replies] == ["bot", "bot"]
    assert replies[0]["text"] == "Hello! How can I help?"
    assert replies[1]["buttons"] == [
        {"title": "Book a check-up", "payload": "/book_checkup"},
        {"title": "Help", "payload": "/help"},
    ]
    assert replies[0]["created_at"].endswith("+08:00")
    # Rasa knows the holder by the opaque conversation id, never the card number.
    assert assistant.sent == [(LI["conversation_id"], "hello")]


def test_both_sides_are_logged_and_read_back_after_an_id(client, li_headers):
    client.post(MESSAGES, json={"text": "hello"}, headers=li_headers)
    log = client.get(MESSAGES, headers=li_headers).json()["messages"]
    assert [(m["sender"], m["text"]) for m in log] == [
        ("holder", "hello"), ("bot", "Hello! How can I help?"), ("bot", "Pick one:"),
    ]
    assert log[2]["buttons"][0]["payload"] == "/book_checkup"
    after = client.get(MESSAGES, params={"after": log[0]["id"]}, headers=li_headers).json()
    assert [m["id"] for m in after["messages"]] == [log[1]["id"], log[2]["id"]]
    assert client.get(MESSAGES, params={"after": log[2]["id"]},
                      headers=li_headers).json() == {"messages": []}


def test_each_holder_sees_only_their_own_log(client, li_headers):
    client.post(MESSAGES, json={"text": "hello"}, headers=li_headers)
    zhang = login(client, ZHANG)
    assert client.get(MESSAGES, headers=zhang).json() == {"messages": []}


def test_assistant_down_is_503_and_the_message_is_kept(client, li_headers, assistant):
    assistant.down = True
    response = client.post(MESSAGES, json={"text": "are you there?"}, headers=li_headers)
    assert_error(response, 503, "assistant_unavailable")
    log = client.get(MESSAGES, headers=li_headers).json()["messages"]
    assert [(m["sender"], m["text"]) for m in log] == [("holder", "are you there?")]


def test_chat_needs_a_holder_token(client, service):
    assert_error(client.post(MESSAGES, json={"text": "hi"}), 401, "not_authenticated")
    assert_error(client.get(MESSAGES), 401, "not_authenticated")
    assert_error(client.post(MESSAGES, json={"text": "hi"}, headers=service),
                 401, "not_authenticated")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "invalid_json"),
        (b"\xff\xfe\x00binary", 400, "invalid_json"),
        (b"{}", 422, "invalid_request"),
        (b'{"text": 42}', 422, "invalid_request"),
        (b'["hello"]', 422, "invalid_request"),
        (b'{"text": "   "}', 422, "invalid_request"),
        (b'{"text": "a\\u0000b"}', 422, "invalid_request"),
        (b'{"text": "\\ud800"}', 422, "invalid_request"),
        (b'{"text": "' + b"x" * 2001 + b'"}', 413, "message_too_long"),
        (b'{"text": "' + b"x" * 100_000 + b'"}', 413, "message_too_long"),
    ],
)
def test_bad_chat_input_is_a_clear_4xx(client, li_headers, assistant, body, status, code):
    headers = {**li_headers, "Content-Type": "application/json"}
    assert_error(client.post(MESSAGES, content=body, headers=headers), status, code)
    assert assistant.sent == []


def test_a_message_of_exactly_the_limit_is_accepted(client, li_headers):
    response = client.post(MESSAGES, json={"text": "x" * 2000}, headers=li_headers)
    assert response.status_code == 200


def _gateway(handler) -> tuple[RasaGateway, httpx.AsyncClient]:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return RasaGateway(base_url="http://rasa:5005/", client=client), client


async def _send(handler):
    gateway, client = _gateway(handler)
    async with client:
        return await gateway.send_message("conv-li", "hi")


def test_rasa_gateway_posts_to_the_rest_webhook():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["url"] = str(request.url)
        seen["body"] = request.read()
        return httpx.Response(200, json=[{"recipient_id": "conv-li", "text": "Hi!"}, "junk"])

    replies = asyncio.run(_send(handler))
    assert seen["url"] == "http://rasa:5005/webhooks/rest/webhook"
    assert b'"sender":"conv-li"' in seen["body"].replace(b" ", b"")
    assert replies == [{"recipient_id": "conv-li", "text": "Hi!"}]


@pytest.mark.parametrize(
    "handler",
    [
        lambda request: httpx.Response(500, text="boom"),
        lambda request: httpx.Response(200, text="not json"),
        lambda request: httpx.Response(200, json={"not": "a list"}),
        lambda request: (_ for _ in ()).throw(httpx.ConnectError("refused")),
        lambda request: (_ for _ in ()).throw(httpx.ReadTimeout("slow")),
    ],
)
def test_rasa_gateway_maps_every_failure_to_unavailable(handler):
    with pytest.raises(AssistantUnavailable):
        asyncio.run(_send(handler))
