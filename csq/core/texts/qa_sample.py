"""UI text of the QA sample (质检抽样, SPEC §4d) on the Evaluation page, and the scorecard's own component names."""

TEXT: dict[str, tuple[str, str]] = {
    "ev_component_calls_answered": ("接听量", "Calls answered"),
    "audit_a_qa_sample_draw": ("质检抽样", "QA sample drawn"),
}
