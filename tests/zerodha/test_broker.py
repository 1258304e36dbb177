"""What the Zerodha broker adds to the unified API (LTP/OHLC, varieties), on the simulator (candles:
test_ops_market_data.py)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from brokerplex.errors import InputError
from brokerplex.manager import BrokerManager
from brokerplex.models import OrderModify, OrderRequest, OrderStatus, OrderType, Quote, Side, Tick, Variety
from brokerplex.rules import tick_floor
from brokerplex_zerodha.broker import ZerodhaBroker
from brokerplex_zerodha.sim import KiteSimulator


def test_ltp_and_ohlc_quotes(on_kite: Callable[..., Any]) -> None:
    async def work(broker: ZerodhaBroker) -> tuple[dict[str, Quote], dict[str, Quote]]:
        return await broker.ltp(["NSE:INFY", "NSE:NIFTY 50"]), await broker.ohlc(["NSE:INFY"])

    ltp, ohlc = on_kite(work)
    assert set(ltp) == {"NSE:INFY", "NSE:NIFTY 50"}
    assert ltp["NSE:INFY"].last_price > 0
    assert ltp["NSE:INFY"].depth.bids == []
    assert ohlc["NSE:INFY"].close is not None


@pytest.mark.parametrize("variety", [Variety.AMO, Variety.ICEBERG])
def test_other_varieties_are_placed_modified_and_cancelled(kite_home: Path, variety: Variety) -> None:
    with BrokerManager(kite_home) as manager:
        instrument = manager.instrument("z1", "NSE:RELIANCE")
        last = manager.quotes("z1", [instrument.symbol])[instrument.symbol].last_price
        price = tick_floor(last * Decimal("0.97"), instrument)
        request = OrderRequest(symbol=instrument.symbol, side=Side.BUY, quantity=10, order_type=OrderType.LIMIT,
                               price=price, variety=variety)
        ack = manager.place_order("z1", request)
        order = next(o for o in manager.orders("z1") if o.order_id == ack.order_id)
        assert order.variety is variety
        assert order.client_order_id == ack.client_order_id
        lower = tick_floor(last * Decimal("0.96"), instrument)
        manager.modify_order("z1", ack.order_id, OrderModify(price=lower))
        assert next(o for o in manager.orders("z1") if o.order_id == ack.order_id).price == lower
        manager.cancel_order("z1", ack.order_id)
        assert next(o for o in manager.orders("z1") if o.order_id == ack.order_id).status is OrderStatus.CANCELLED


def test_a_cover_order_carries_its_stop_loss_as_the_trigger(kite_home: Path) -> None:
    with BrokerManager(kite_home) as manager:
        instrument = manager.instrument("z1", "NSE:RELIANCE")
        last = manager.quotes("z1", [instrument.symbol])[instrument.symbol].last_price
        price, stop = tick_floor(last * Decimal("0.97"), instrument), tick_floor(last * Decimal("0.95"), instrument)
        ack = manager.place_order("z1", OrderRequest(
            symbol=instrument.symbol, side=Side.BUY, quantity=1, order_type=OrderType.LIMIT, price=price,
            trigger_price=stop, product="MIS", variety=Variety.CO))
        order = next(o for o in manager.orders("z1") if o.order_id == ack.order_id)
        assert (order.variety, order.order_type, order.price) == (Variety.CO, OrderType.LIMIT, price)
        manager.cancel_order("z1", ack.order_id)


def test_watching_a_silent_stream_gives_up_after_its_idle_timeout(kite_home: Path, kite_sim: KiteSimulator) -> None:
    with BrokerManager(kite_home) as manager:
        events = manager.watch("z1", ["NSE:INFY"], "ltp", idle_timeout=1.5)
        assert isinstance(next(event for event in events if event.type != "state").data, Tick)
        kite_sim.silence_streams(True)
        try:
            with pytest.raises(TimeoutError, match=r"no tick or order update from z1 in 1\.5 s"):
                for _ in events:
                    pass
        finally:
            kite_sim.silence_streams(False)


def test_accounts_with_one_api_key_share_its_rate_limits(tmp_path: Path) -> None:
    from brokerplex.broker import AccountContext
    from brokerplex.testing.harness import MemorySession
    from brokerplex_zerodha.settings import ZerodhaSettings

    settings = ZerodhaSettings(api_key="shared_key", api_secret="s")  # type: ignore[arg-type]
    first, second = (ZerodhaBroker(AccountContext(name, "zerodha", tmp_path, MemorySession()), settings)
                     for name in ("a", "b"))
    other = ZerodhaBroker(AccountContext("c", "zerodha", tmp_path, MemorySession()),
                          ZerodhaSettings(api_key="other_key", api_secret="s"))  # type: ignore[arg-type]
    assert first._limiters["orders"] is second._limiters["orders"]
    assert first._limiters["quote"] is not other._limiters["quote"]
    assert [(limit.count, limit.period) for limit in first._limiters["orders"].limits] == [
        (10, 1.0), (200, 60.0), (3000, 86_400.0)]
    assert "shared_key" in repr(first._limiters["quote"])


def test_the_plugin_and_its_settings_load_without_the_official_client() -> None:
    import subprocess
    import sys

    code = ("import sys, brokerplex_zerodha, brokerplex_zerodha.broker; "
            "assert 'kiteconnect' not in sys.modules and 'twisted' not in sys.modules, 'SDK imported'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_the_demo_scene_runs_against_its_own_simulator(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from brokerplex_zerodha.demo import ACCOUNT, zerodha_scene

    with BrokerManager(tmp_path / "demo-home") as manager:
        zerodha_scene(manager)
        assert ACCOUNT not in [account.name for account in manager.accounts()]
    shown = capsys.readouterr().out
    for words in ("logged in as ZS1234", "modified to", "cancelled", "NSE:INFY  ", " vol ", "Positions"):
        assert words in shown
    assert "kite_sim_secret" not in shown


def test_a_cover_order_without_its_stop_loss_is_refused_before_sending(kite_home: Path) -> None:
    with BrokerManager(kite_home) as manager:
        before = len(manager.orders("z1"))
        with pytest.raises(InputError, match="cover order"):
            manager.place_order("z1", OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1, product="MIS",
                                                   variety=Variety.CO))
        assert len(manager.orders("z1")) == before
