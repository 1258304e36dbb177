"""Plugin discovery: entry points of the ``brokerplex`` group, loaded once per process.

Environment:
    BROKERPLEX_PLUGINS          comma-separated entry-point names to load (allow-list);
                                set but empty loads none.
    BROKERPLEX_DISABLE_PLUGINS  comma-separated entry-point names never to load (block-list).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points

import pluggy

from brokerplex import hookspecs
from brokerplex.errors import PluginError, UnknownBrokerError
from brokerplex.registry import BrokerSpec, RegisteredBroker

ENTRY_POINT_GROUP = "brokerplex"
ENV_ALLOW = "BROKERPLEX_PLUGINS"
ENV_BLOCK = "BROKERPLEX_DISABLE_PLUGINS"

_lock = threading.Lock()
_manager: pluggy.PluginManager | None = None
# Entry-point name → (distribution, version), for `brokerplex brokers`.
_distributions: dict[str, tuple[str | None, str | None]] = {}


def _names(variable: str) -> set[str] | None:
    value = os.environ.get(variable)
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def _selected(entry: EntryPoint, allowed: set[str] | None, blocked: set[str]) -> bool:
    return entry.name not in blocked and (allowed is None or entry.name in allowed)


def new_plugin_manager(*, load_entry_points: bool = True) -> pluggy.PluginManager:
    """A fresh manager with the hook specs, and the installed plugins unless told not to."""
    manager = pluggy.PluginManager(ENTRY_POINT_GROUP)
    manager.add_hookspecs(hookspecs)
    if load_entry_points:
        allowed, blocked = _names(ENV_ALLOW), _names(ENV_BLOCK) or set()
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            if _selected(entry, allowed, blocked) and manager.get_plugin(entry.name) is None:
                _load(manager, entry)
    check(manager)
    return manager


def _load(manager: pluggy.PluginManager, entry: EntryPoint) -> None:
    try:
        plugin = entry.load()
    except Exception as exc:  # a broken third-party plugin must say which one it is
        raise PluginError(f"plugin {entry.name!r} failed to import: {type(exc).__name__}: {exc}") from exc
    manager.register(plugin, name=entry.name)
    dist = entry.dist
    _distributions[entry.name] = (dist.name, dist.version) if dist is not None else (None, None)


def check(manager: pluggy.PluginManager) -> None:
    """Fail on hook implementations that match no specification (a misspelt name)."""
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        name = manager.get_name(exc.plugin) or repr(exc.plugin)
        unknown = [c.name for c in manager.get_hookcallers(exc.plugin) or [] if not c.has_spec()]
        known = ", ".join(sorted(n for n in vars(hookspecs) if hasattr(getattr(hookspecs, n), "brokerplex_spec")))
        raise PluginError(f"plugin {name!r} implements unknown hook {', '.join(unknown)}; hooks are: {known}") from exc


def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager, created on first use."""
    global _manager
    with _lock:
        if _manager is None:
            _manager = new_plugin_manager()
        return _manager


def registered_brokers(manager: pluggy.PluginManager | None = None) -> dict[str, RegisteredBroker]:
    """Every broker registered by the loaded plugins, by name."""
    manager = manager or get_plugin_manager()
    found: dict[str, RegisteredBroker] = {}
    for impl in manager.hook.register_brokers.get_hookimpls():
        impl.function(_registrar(found, impl.plugin_name))
    return dict(sorted(found.items()))


def _registrar(found: dict[str, RegisteredBroker], plugin: str) -> Callable[[BrokerSpec], None]:
    """The ``register`` callback handed to one plugin: it knows which plugin is calling."""
    distribution, version = _distributions.get(plugin, (None, None))

    def register(spec: BrokerSpec) -> None:
        if not isinstance(spec, BrokerSpec):
            raise PluginError(f"plugin {plugin!r} registered {spec!r}, not a BrokerSpec")
        if spec.name in found:
            raise PluginError(f"broker {spec.name!r} is registered by {found[spec.name].plugin!r} and {plugin!r}")
        found[spec.name] = RegisteredBroker(spec, plugin, distribution, version)

    return register


def get_broker(name: str, manager: pluggy.PluginManager | None = None) -> RegisteredBroker:
    brokers = registered_brokers(manager)
    if name not in brokers:
        known = ", ".join(brokers) or "none installed"
        raise UnknownBrokerError(f"unknown broker {name!r}; installed brokers: {known}")
    return brokers[name]
