"""What changed since the previous run: new statements, status changes, new voices, codes first evidenced."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from qualcode.evidence.analysis import Analysis
from qualcode.evidence.statements import UNKNOWN, voice_key, voices


@dataclass(frozen=True)
class Delta:
    """Each table compares today's analysis with the previous run's (all 'before' values are 0 or '' on day one).

    codes: code_id, statements_before, statements_now, new_statements, first_evidence.
    hypotheses: hypothesis_id, status_before, status_now, changed, new_support, new_contradict.
    voices: kind (role / agency / source_type), voice, statements: voices heard for the first time.
    """

    codes: pd.DataFrame
    hypotheses: pd.DataFrame
    voices: pd.DataFrame


def daily_delta(now: Analysis, before: Analysis | None, codes: list[str]) -> Delta:
    old_ids = set(before.segments["segment_id"]) if before is not None else set()
    old_statements = before.statements if before is not None else now.statements.iloc[0:0]
    counts_now = now.statements.groupby("code_id")["segment_id"].nunique()
    counts_before = old_statements.groupby("code_id")["segment_id"].nunique()
    code_table = pd.DataFrame({"code_id": codes})
    code_table["statements_before"] = code_table["code_id"].map(counts_before).fillna(0).astype(int)
    code_table["statements_now"] = code_table["code_id"].map(counts_now).fillna(0).astype(int)
    code_table["new_statements"] = code_table["statements_now"] - code_table["statements_before"]
    code_table["first_evidence"] = (code_table["statements_before"] == 0) & (code_table["statements_now"] > 0)

    fresh = now.evidence[~now.evidence["segment_id"].isin(old_ids)]
    status_before = dict(zip(before.summary["hypothesis_id"], before.summary["status"], strict=True)
                         ) if before is not None else {}
    hypotheses = now.summary[["hypothesis_id", "status"]].rename(columns={"status": "status_now"})
    hypotheses.insert(1, "status_before", [status_before.get(h, "") for h in hypotheses["hypothesis_id"]])
    hypotheses["changed"] = hypotheses["status_before"] != hypotheses["status_now"]
    for side in ("support", "contradict"):
        per = fresh[fresh["side"] == side].groupby("hypothesis_id").size()
        hypotheses[f"new_{side}"] = hypotheses["hypothesis_id"].map(per).fillna(0).astype(int)

    first_heard = []
    for kind in ("agency", "role", "source_type"):
        heard_before = voices(before.spoken[kind]) if before is not None else frozenset()
        keys = now.spoken[kind].map(voice_key)
        fresh_voices = now.spoken[~keys.isin(heard_before | {UNKNOWN})]
        counts = fresh_voices.groupby(fresh_voices[kind].map(voice_key)).size()
        first_heard += [{"kind": kind, "voice": voice, "statements": int(n)} for voice, n in counts.items()]
    return Delta(codes=code_table, hypotheses=hypotheses.reset_index(drop=True),
                 voices=pd.DataFrame(first_heard, columns=["kind", "voice", "statements"]))
