"""Comparison layer: Git's object versus the live one, without noise, with attribution.

Entry points (import them from their modules; this package stays import-light so that
``driftui.config`` can depend on ``driftui.compare.ignore`` without cycles):

- ``differ.compare(desired, live, CompareOptions, predicted=, defaulted=) -> Comparison``
- ``normalise.normalise(obj, merge_keys) -> dict``
- ``merge_keys.MergeKeys.builtin() / .from_openapi_v3(docs)``
- ``ownership.Ownership.of(live)`` (managedFields index)
- ``masking.SecretMasker(key).mask_object(obj)``
- ``ignore.IgnoreRule`` and JSON pointers
- ``textdiff.live_view / render / render_yaml / unified / side_by_side``
"""
