"""The call and agent state machines, dispositions and retry rules: properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaigns.enums import LeadStatus
from dialer.agents.state import AGENT_TRANSITIONS, Agent, AgentState
from dialer.engine.calls import FINAL_STATES, TRANSITIONS, CallState, check_transition
from dialer.engine.dispositions import Rule, lead_after, rules_for, system_rules
from dialer.errors import ConflictError, InputError

T0 = datetime(2026, 3, 9, 14, tzinfo=UTC)


def test_final_call_states_have_no_way_out_and_every_state_reaches_a_final_one() -> None:
    for state in FINAL_STATES:
        assert TRANSITIONS[state] == frozenset()
    for state in CallState:
        seen, todo = set(), [state]
        while todo:
            current = todo.pop()
            seen.add(current)
            todo.extend(TRANSITIONS[current] - seen)
        assert seen & FINAL_STATES, state


@given(st.lists(st.sampled_from(list(CallState)), max_size=12))
def test_a_call_only_moves_along_allowed_transitions(path: list[CallState]) -> None:
    current = CallState.CREATED
    for new in path:
        if new in TRANSITIONS[current]:
            check_transition(current, new)
            current = new
        else:
            with pytest.raises(ConflictError):
                check_transition(current, new)


@given(st.lists(st.tuples(st.sampled_from(list(AgentState)), st.floats(0, 1000)), max_size=15))
def test_agent_time_in_states_adds_up_to_the_time_logged_in(
    moves: list[tuple[AgentState, float]],
) -> None:
    agent = Agent("a", frozenset({1}))
    agent.move(AgentState.READY, T0, 0.0)
    mono = 0.0
    for state, gap in moves:
        if state not in AGENT_TRANSITIONS[agent.state]:
            with pytest.raises(ConflictError):
                agent.move(state, T0, mono + gap)
            continue
        mono += gap
        stretch = agent.move(state, T0 + timedelta(seconds=mono), mono)
        assert stretch is not None
        assert stretch.seconds == pytest.approx(gap)
        if state is AgentState.LOGGED_OUT:
            break
    spent = sum(agent.seconds_by_state.values())
    assert spent == pytest.approx(mono)


def test_system_rules_follow_the_issue() -> None:
    rules = system_rules()
    assert rules["no_answer"] == Rule("no_answer", retry_after_s=7200, max_attempts=5)
    assert rules["busy"].retry_after_s == 900
    assert rules["machine"].retry_after_s == 4 * 3600
    assert rules["do_not_call"].dnc
    assert rules["callback"].callback


@given(st.integers(1, 10), st.integers(1, 10))
def test_retries_stop_at_the_smaller_of_the_rule_and_campaign_limits(
    attempts: int, campaign_max: int
) -> None:
    rule = system_rules()["no_answer"]
    update = lead_after(rule, attempts, T0, campaign_max)
    if attempts >= min(5, campaign_max):
        assert update.status is LeadStatus.DONE
    else:
        assert update.status is LeadStatus.RETRY
        assert update.next_eligible_at == T0 + timedelta(hours=2)


def test_campaign_rules_add_dispositions_and_override_retries() -> None:
    rules = rules_for(["survey_done"], {"busy": {"retry_after_s": 60, "max_attempts": 2}})
    assert rules["survey_done"].final
    assert rules["survey_done"].agent
    assert rules["busy"].retry_after_s == 60
    assert lead_after(rules["busy"], 2, T0, 5).status is LeadStatus.DONE
    with pytest.raises(InputError):
        rules_for((), {"busy": {"retry_after": 60}})


def test_dnc_and_callbacks_decide_the_lead_status() -> None:
    rules = system_rules()
    assert lead_after(rules["do_not_call"], 1, T0, 5).status is LeadStatus.DNC
    later = T0 + timedelta(days=1)
    update = lead_after(rules["callback"], 1, T0, 5, later)
    assert (update.status, update.next_eligible_at) == (LeadStatus.CALLBACK, later)
