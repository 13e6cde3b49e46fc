"""The doc_to_* keys one by one: columns, templates, fixed lists, option indexes, and what the YAML may say."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from dataset_forms import task_yaml

from medgen_core.data.records import RecordFailure
from medgen_core.data.samples import iter_samples
from medgen_core.tasks.index import TaskIndex
from medgen_core.tasks.loader import TaskFileError, load_spec
from medgen_core.types import MedgenError

DATA = "dataset_path: json\ndataset_kwargs:\n  data_files: {test: records.jsonl}"
BASE = {"doc_to_id": "uid", "doc_to_text": "{{ question }}", "doc_to_image": "scan"}


def samples(forms, **keys) -> list:
    folder = forms["json"]["edit"].parent
    yaml = task_yaml(folder / "mapping.yaml", "mapping", "text", DATA, **{**BASE, **keys})
    return list(iter_samples(Path("."), TaskIndex([]).select([str(yaml)]).tasks[0]))


def test_choices_from_a_template_a_fixed_list_and_an_option_index(forms):
    by_template = samples(forms, doc_to_choice="{{ [organ, 'spleen'] }}", doc_to_target="answer")
    assert [s.choices for s in by_template[:3]] == [["liver", "spleen"], ["liver", "spleen"], ["kidney", "spleen"]]
    fixed = samples(forms, doc_to_choice=["yes", "no"], doc_to_target="{{ 1 if organ == 'liver' else 0 }}")
    assert [(s.choices, s.answer) for s in fixed][1:3] == [(["yes", "no"], "1"), (["yes", "no"], "0")]
    bad = samples(forms, doc_to_choice="{{ organ }}", doc_to_target="answer")[0]
    assert isinstance(bad, RecordFailure)
    assert "key 'doc_to_choice' of task 'mapping'" in bad.message
    assert "the template must render a list such as ['yes', 'no'], got 'liver'" in bad.message


def test_integer_targets_are_option_indexes(forms, tmp_path):
    import json
    import shutil

    folder = forms["json"]["edit"].parent
    lines = [json.loads(line) for line in (folder / "records.jsonl").read_text().splitlines()]
    shutil.copytree(folder / "img", tmp_path / "img")  # a symlinked folder would lead out, and be refused
    (tmp_path / "records.jsonl").write_text("".join(json.dumps({**r, "k": i}) + "\n" for i, r in enumerate(lines)))
    yaml = task_yaml(
        tmp_path / "t.yaml", "index", "text", DATA, **BASE, doc_to_choice=["a", "b", "c"], doc_to_target="k"
    )
    items = list(iter_samples(Path("."), TaskIndex([]).select([str(yaml)]).tasks[0]))
    assert [s.answer for s in items[:3]] == ["A", "B", "C"]
    assert isinstance(items[3], RecordFailure) and "option index 3 is out of range for 3 choices" in items[3].message


def test_modality_subtask_and_id_from_templates(forms):
    got = samples(
        forms,
        doc_to_target="answer",
        doc_to_modality="{{ 'MR' }}",
        doc_to_subtask="{{ organ | upper }}",
        doc_to_id="{{ uid }}-{{ organ }}",
    )
    assert [(s.id, s.modality, s.subtask) for s in got[:2]] == [
        ("case-0-liver", "mri", "LIVER"),
        ("case-1-liver", "mri", "LIVER"),
    ]
    assert got[0].instruction == "How many lesions are in case 0?" and got[0].record["organ"] == "liver"


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "task: t\noutput_type: text\ndataset_path: json\ndataset_kwargs: {streaming: 'yes'}\n",
            "key 'dataset_kwargs': Value error, 'streaming' has the wrong type (str)",
        ),
        (
            "task: t\noutput_type: text\ndataset_path: json\ndoc_to_target: '{{ answer '\n",
            "key 'doc_to_target': Value error, template syntax error on line 1",
        ),
        ("task: t\noutput_type: text\ndataset_path: json\ndoc_to_image: [a, 3]\n", "key 'doc_to_image"),
        ("task: t\noutput_type: text\ndoc_to_target: answer\n", "key 'dataset_name': Field required"),
    ],
)
def test_yaml_errors_name_file_and_key(tmp_path, text, message):
    path = tmp_path / "t.yaml"
    path.write_text(text)
    with pytest.raises(TaskFileError) as info:
        load_spec(path)
    assert f"{path}: {message}" in str(info.value)


def test_a_dataset_task_needs_no_dataset_name(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("task: t\noutput_type: text\ndataset_path: someone/data\ndataset_name: config_a\n")
    spec = load_spec(path)
    assert not spec.reads_layout and spec.dataset_name == "config_a"


def test_without_the_datasets_package_the_message_says_what_to_install(forms, monkeypatch):
    monkeypatch.setitem(sys.modules, "datasets", None)
    with pytest.raises(
        MedgenError, match=r"reading datasets needs the `datasets` package: pip install 'medgen\[hub\]'"
    ):
        samples(forms, doc_to_target="answer")
