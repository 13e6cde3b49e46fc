"""Task and group YAML: built-in specs, include, aliases, groups, and errors naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from medgen_core.data.samples import count_matching
from medgen_core.paths import builtin_task_dir
from medgen_core.tasks.index import TaskIndex, TaskInstance
from medgen_core.tasks.loader import TaskFileError, load_spec
from medgen_core.types import MedgenError

OFFICIAL = [
    "multiple_choice",
    "blank_filling",
    "report_generation",
    "question_answering",
    "style_transfer",
    "artifact_removal",
    "noise_reconstruction",
    "resolution_editing",
    "contrast_enhancement",
    "anatomical_annotation",
    "disease_prediction",
    "instruction_editing",
    "organ_removal",
    "organ_reconstruction",
    "projection_3d_to_2d",
    "reconstruction_2d_to_3d",
]


@pytest.fixture(scope="module")
def index():
    return TaskIndex([builtin_task_dir()])


def test_builtin_tasks_all_valid(index):
    assert index.errors == []
    assert set(OFFICIAL) <= set(index.tasks)
    assert set(index.tasks) == set(OFFICIAL) | {"ct_lesion_edit"}
    assert index.tasks["multiple_choice"][0].output_type == "text"
    assert index.tasks["style_transfer"][0].output_type == "image"
    assert index.tasks["organ_removal"][0].output_type == "text+image"


@pytest.mark.parametrize(
    "alias, name",
    [
        ("organic-removal", "organ_removal"),
        ("Organic_Reconstruction", "organ_reconstruction"),
        ("3d-to-2d-projection", "projection_3d_to_2d"),
        ("2d-3d-reconstruction", "reconstruction_2d_to_3d"),
        ("multi-choice", "multiple_choice"),
        ("question-answer", "question_answering"),
        ("dye-transfer", "style_transfer"),
        ("resolution-edit", "resolution_editing"),
        ("instruction-edit", "instruction_editing"),
        ("noise_reconstruction", "noise_reconstruction"),
    ],
)
def test_aliases(index, alias, name):
    assert index.canonical(alias) == name


def test_unknown_task_suggests(index):
    with pytest.raises(MedgenError, match="Did you mean 'noise_reconstruction'"):
        index.canonical("noise_reconstructon")


def test_groups_expand(index):
    sel = index.select(["medgen"])
    assert sorted(t.name for t in sel.tasks) == sorted(OFFICIAL)
    assert set(sel.groups) == {"medgen", "medgen_vqa", "medgen_edit", "medgen_gen"}
    assert len(sel.groups["medgen"].tasks) == 16
    ct = index.select(["medgen_ct"])
    assert all(t.filter.modality == ["ct"] for t in ct.tasks)
    assert set(ct.groups) == {"medgen_ct"}
    both = index.select(["medgen", "medgen_ct"])
    assert all(t.extra_filter is None for t in both.tasks)  # superset run once; group filters at aggregation
    assert both.groups["medgen_ct"].filter.modality == ["ct"]


def test_ct_lesion_edit_inherits_and_filters(index, minidata_root):
    spec, path = index.tasks["ct_lesion_edit"]
    base, _ = index.tasks["instruction_editing"]
    assert spec.dataset_name == base.dataset_name
    assert spec.metric_list == base.metric_list
    assert spec.aliases == []  # aliases are never inherited
    assert spec.filter.modality == ["ct"] and spec.filter.subtask == ["Lesion Edit"]
    # minidata marks even-numbered instruction-editing records as CT lesion edits
    assert count_matching(minidata_root, TaskInstance(spec, path)) == 2
    assert count_matching(minidata_root, TaskInstance(base, path)) == 3


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_include_is_relative_and_overrides(tmp_path):
    write(tmp_path / "base" / "_b.yaml", "dataset_name: X/y\noutput_type: text\naliases: [zzz]\ndoc_to_text: base\n")
    f = write(
        tmp_path / "t" / "child.yaml", "include: ../base/_b.yaml\ntask: child\ndoc_to_text: child {{ instruction }}\n"
    )
    spec = load_spec(f)
    assert spec.dataset_name == "X/y" and spec.doc_to_text == "child {{ instruction }}" and spec.aliases == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("task: t\ndataset_name: a\noutput_type: text\nmetrc_list: []\n", "key 'metrc_list': unknown key"),
        ("task: t\ndataset_name: a\noutput_type: video\n", "key 'output_type'"),
        (
            "task: t\ndataset_name: a\noutput_type: text\nmetric_list:\n  - metric: x\n    threshold: high\n",
            "key 'metric_list.0.threshold'",
        ),
        ("task: t\noutput_type: text\n", "key 'dataset_name': Field required"),
        ("include: nothere.yaml\ntask: t\n", "key 'include': file not found: nothere.yaml"),
        ("task: t\ndataset_name: a\noutput_type: text\ndoc_to_text: '{{ instruction '\n", "key 'doc_to_text'"),
        ("- a\n- b\n", "top level must be a mapping"),
    ],
)
def test_errors_name_file_and_key(tmp_path, text, expected):
    f = write(tmp_path / "bad.yaml", text)
    with pytest.raises(TaskFileError) as info:
        load_spec(f)
    assert str(f) in str(info.value)
    assert expected in str(info.value)


def test_include_cycle(tmp_path):
    write(tmp_path / "a.yaml", "include: b.yaml\ntask: a\n")
    write(tmp_path / "b.yaml", "include: a.yaml\n")
    with pytest.raises(TaskFileError, match="include cycle: .*a.yaml -> .*b.yaml -> .*a.yaml"):
        load_spec(tmp_path / "a.yaml")


def test_yaml_path_in_tasks(index, tmp_path):
    f = write(
        tmp_path / "mine.yaml",
        "include: "
        + str(builtin_task_dir() / "gen" / "organ_removal.yaml")
        + "\ntask: my_removal\nfilter: {modality: [MR]}\n",
    )
    sel = index.select([str(f)])
    assert [t.name for t in sel.tasks] == ["my_removal"]
    assert sel.tasks[0].filter.modality == ["mri"]


def test_validate_cli(medgen_cli, tmp_path):
    ok = medgen_cli("validate", str(builtin_task_dir()))
    assert ok.exit_code == 0 and "0 error(s)" in ok.output, ok.output
    bad = write(tmp_path / "bad.yaml", "task: t\ndataset_name: a\noutput_type: text\nbogus: 1\n")
    res = medgen_cli("validate", str(bad))
    assert res.exit_code == 1
    assert f"{bad}: key 'bogus': unknown key" in res.output


def test_validate_finds_what_a_run_would_fail_on(medgen_cli, tmp_path):
    folder = tmp_path / "tasks"
    dup = write(folder / "dup.yaml", "task: t1\ndataset_name: VQA/question-answering\noutput_type: text\ntask: t2\n")
    typo = write(
        folder / "typo.yaml",
        "task: t3\ndataset_name: VQA/question-answering\noutput_type: text\nmetric_list:\n  - metric: bleu\n"
        "  - metric: bertscor\ndoc_to_text: '{{ instruction }} ({{ record.patient_age }})'\n",
    )
    broken = write(folder / "_base.yaml", "output_type: [text\n")
    for name in ("a", "b", "c"):
        write(folder / f"{name}.yaml", f"include: _base.yaml\ntask: {name}\ndataset_name: VQA/question-answering\n")
    res = medgen_cli("validate", str(folder))
    assert res.exit_code == 1
    assert f"{dup}: key 'task' appears twice (lines 1 and 4)" in res.output
    assert f"{typo}: key 'metric_list'[1]: unknown metric 'bertscor'. Did you mean 'bertscore'?" in res.output
    assert f"{typo}: key 'doc_to_text': on the first record (" in res.output and "patient_age" in res.output
    assert res.output.count("not valid YAML") == 1  # one broken fragment, included three times: one error
    assert f"{broken}: not valid YAML" in res.output


def test_ls_tasks_counts(cli_run, minidata_root):
    res = cli_run("ls", "tasks", "--data_root", str(minidata_root))
    assert res.exit_code == 0
    row = next(line for line in res.output.splitlines() if "ct_lesion_edit" in line)
    assert "modality=ct" in row and "subtask=Lesion Edit" in row and " 2 " in row
    assert any("medgen_ct" in line and "modality=ct" in line for line in res.output.splitlines())


def test_rubric_file_fills_the_judge_block_and_its_hash(tmp_path):
    from medgen_core.tasks.spec import content_hash

    (tmp_path / "rubric.yaml").write_text(
        "name: chest\npreamble: You are a thoracic radiologist.\n"
        "dimensions:\n  - lung_fields: Are the lung fields described correctly?\n  - instruction_compliance\n"
        "checklist: [No invented findings.]\n"
    )
    task = tmp_path / "t.yaml"
    task.write_text(
        "task: t\ndataset_name: VQA/question-answering\noutput_type: text\njudge:\n  rubric_file: rubric.yaml\n"
    )
    spec = load_spec(task)
    rubric = spec.judge.to_rubric("t")
    assert rubric.name == "rubric" and rubric.preamble == "You are a thoracic radiologist."
    assert rubric.dimensions == ("lung_fields", "instruction_compliance")
    assert rubric.descriptions == {"lung_fields": "Are the lung fields described correctly?"}
    assert rubric.checklist == ("No invented findings.",)
    before = content_hash(spec.model_dump(mode="json"))
    (tmp_path / "rubric.yaml").write_text("dimensions: [only_one]\n")
    assert content_hash(load_spec(task).model_dump(mode="json")) != before  # the hash covers the rubric's content
    (tmp_path / "rubric.yaml").write_text("dimensions: [a, a]\n")
    with pytest.raises(TaskFileError, match=r"t\.yaml: key 'judge.rubric_file': .*listed twice"):
        load_spec(task)
    task.write_text(task.read_text().replace("rubric.yaml", "missing.yaml"))
    with pytest.raises(TaskFileError, match="key 'judge.rubric_file': file not found: missing.yaml"):
        load_spec(task)
