"""Creating agents and their API keys, and resolving a presented key to the calling agent."""

from __future__ import annotations

import re
from dataclasses import dataclass


from engram.storage.connection import Driver
from engram.auth.tokens import PREFIX, hash_token, new_token, same_token, well_formed
from engram.config import Settings
from engram.errors import BadInputError, NotFoundError, UnauthenticatedError
from engram.storage.api_keys import AgentRecord, ApiKeyRepository, KeyRecord

AGENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
SETTINGS_OPERATOR = "operator"  # the name a caller with ENGRAM_OPERATOR_KEY acts under


@dataclass(frozen=True)
class Caller:
    """Who is calling. `agent_id` is None only for the operator key from the settings, which is no agent."""

    agent_id: str | None
    operator: bool
    key_prefix: str

    @property
    def name(self) -> str:
        return self.agent_id or SETTINGS_OPERATOR


@dataclass(frozen=True)
class IssuedKey:
    """A freshly issued key: `token` is shown once and exists nowhere else afterwards."""

    agent: AgentRecord
    token: str
    key: KeyRecord


class ApiKeyService:
    def __init__(self, driver: Driver, settings: Settings) -> None:
        self.repository = ApiKeyRepository(driver, settings)
        self.settings = settings

    def create_agent(self, agent_id: str, *, operator: bool = False) -> IssuedKey:
        """A new agent with its first key. An agent that has a live key already is refused: use issue_key."""
        _check_id(agent_id)
        agent = self.repository.create_agent(agent_id, operator)
        if agent.live_keys:
            raise BadInputError(f"Agent {agent_id!r} exists and has a live key.",
                                hint=f"Issue another with `engram agent key {agent_id}`.")
        return self._issue(agent)

    def issue_key(self, agent_id: str, *, revoke_others: bool = False) -> IssuedKey:
        """Rotation: a new key; with revoke_others, every older key stops working at once."""
        agents = self.repository.agents_by_ids([agent_id])
        if agent_id not in agents:
            raise NotFoundError(f"No agent {agent_id!r}.", hint=f"Create it with `engram agent create {agent_id}`.")
        issued = self._issue(agents[agent_id])
        if revoke_others:
            self.repository.revoke_all(agent_id, keep=[issued.key.prefix])
        return issued

    def _issue(self, agent: AgentRecord) -> IssuedKey:
        token = new_token()
        key = self.repository.add_key(agent.id, token.hash, token.prefix)
        if key is None:
            raise NotFoundError(f"No agent {agent.id!r}.")
        return IssuedKey(agent, token.token, key)

    def revoke_key(self, prefix: str, agent_id: str | None = None) -> KeyRecord:
        if not prefix.startswith(PREFIX):
            raise BadInputError(f"A key prefix starts with {PREFIX!r}, e.g. as `engram agent keys NAME` lists it.")
        keys = self.repository.revoke(prefix, agent_id)
        if not keys:
            owner = f" of agent {agent_id!r}" if agent_id else ""
            raise NotFoundError(f"No key {prefix!r}{owner}.")
        return keys[0]  # should two display prefixes ever collide, revoking both is the safe side

    def list_keys(self, agent_id: str) -> list[KeyRecord]:
        return self.repository.list_keys(agent_id)

    def list_agents(self) -> list[AgentRecord]:
        return self.repository.list_agents()

    def agents(self, ids: list[str]) -> dict[str, AgentRecord]:
        return self.repository.agents_by_ids(ids)

    def authenticate(self, token: str | None) -> Caller:
        """The caller a presented key stands for; UnauthenticatedError for a missing, unknown or revoked key."""
        if not token:
            raise UnauthenticatedError("No API key: send `Authorization: Bearer eng_…`.")
        operator_key = self.settings.operator_key
        if operator_key is not None and same_token(token, operator_key.get_secret_value()):
            return Caller(agent_id=None, operator=True, key_prefix="settings")
        if not well_formed(token):
            raise UnauthenticatedError("Invalid API key.")
        found = self.repository.find_by_hash(hash_token(token))
        if found is None:
            raise UnauthenticatedError("Invalid or revoked API key.")
        agent, prefix = found
        return Caller(agent_id=agent.id, operator=agent.operator, key_prefix=prefix)


def _check_id(agent_id: str) -> None:
    if not AGENT_ID.match(agent_id or ""):
        raise BadInputError("An agent name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.")
