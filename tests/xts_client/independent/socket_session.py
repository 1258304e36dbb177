"""Run by the 3.12 venv: xts-api-client's socket.io clients (python-socketio 4.x fork, EIO=3).

Usage: python socket_session.py <sim.json>
Connects the market-data socket, subscribes RELIANCE touchline (1501) over REST, collects
events; connects the interactive socket and places an order over REST, collects its events.
Prints one JSON object.
"""

import asyncio
import json
import sys
import warnings

from xts_api_client.interactive_socket import OrderSocket_io
from xts_api_client.market_data_socket import MDSocket_io
from xts_api_client.xts_connect_async import XTSConnect

warnings.simplefilter("ignore")  # its async client posts str bodies through httpx's deprecated data=


class Recorder:
    """Every handler the socket classes register; records (event, payload)."""

    def __init__(self):
        self.events = []
        self.connected = asyncio.Event()

    def _record(self, name):
        async def handler(data=None):
            self.events.append((name, data))
        return handler

    async def on_connect(self):
        self.connected.set()
        self.events.append(("connect", None))

    async def on_disconnect(self):
        self.events.append(("disconnect", None))

    def __getattr__(self, name):
        if name.startswith("on_"):
            return self._record(name[3:])
        raise AttributeError(name)


def account(sim, role):
    return next(item for item in sim["accounts"] if item["role"] == role)


async def market_data(sim, seen):
    keys = account(sim, "investor")["marketdata"]
    rest = XTSConnect(keys["appKey"], keys["secretKey"], "WEBAPI", sim["root"])
    login = (await rest.marketdata_login())["result"]
    recorder = Recorder()
    socket = MDSocket_io(login["token"], login["userID"], sim["root"], recorder)
    await socket.connect()
    await asyncio.wait_for(recorder.connected.wait(), 10)
    reply = await rest.send_subscription([{"exchangeSegment": 1, "exchangeInstrumentID": 2885}], 1501)
    seen["subscription"] = {"code": reply["code"], "remaining": reply["result"]["Remaining_Subscription_Count"]}
    for _ in range(100):
        if sum(1 for name, _ in recorder.events if name == "event_touchline_full") >= 2:
            break
        await asyncio.sleep(0.1)
    ticks = [json.loads(data) for name, data in recorder.events if name == "event_touchline_full"]
    seen["md_events"] = sorted({name for name, _ in recorder.events})
    seen["ticks"] = [{"code": tick["MessageCode"], "id": tick["ExchangeInstrumentID"],
                      "ltp": tick["Touchline"]["LastTradedPrice"]} for tick in ticks[:2]]
    await socket.disconnect()
    await rest.reqsession.aclose()


async def interactive(sim, seen):
    keys = account(sim, "investor")["interactive"]
    rest = XTSConnect(keys["appKey"], keys["secretKey"], "WEBAPI", sim["root"])
    login = (await rest.interactive_login())["result"]
    recorder = Recorder()
    socket = OrderSocket_io(login["token"], login["userID"], sim["root"], recorder)
    await socket.connect()
    await asyncio.wait_for(recorder.connected.wait(), 10)
    # The async client sends clientID=***** for investors too: "myself".
    await rest.place_order("NSECM", 2885, "MIS", "MARKET", "BUY", "DAY", 0, 1, 0, 0, "sockorder")
    for _ in range(100):
        if any(name == "trade" for name, _ in recorder.events):
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.3)
    seen["ia_events"] = sorted({name for name, _ in recorder.events})
    seen["joined"] = json.loads(next(data for name, data in recorder.events if name == "joined"))["code"]
    seen["order_statuses"] = [json.loads(data)["OrderStatus"] for name, data in recorder.events if name == "order"]
    await socket.disconnect()
    await rest.reqsession.aclose()


async def main():
    with open(sys.argv[1]) as handle:
        sim = json.load(handle)
    seen = {}
    await market_data(sim, seen)
    await interactive(sim, seen)
    print(json.dumps(seen))


if __name__ == "__main__":
    asyncio.run(main())
