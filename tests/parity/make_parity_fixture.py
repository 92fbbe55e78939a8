#!/usr/bin/python3
"""Reference values for the C# PyTorch-parity tests (STEM-Net and MMoE).

Run from the repository root with Debian's PyTorch (python3-torch, 1.13 here) and numpy:

    /usr/bin/python3 tests/parity/make_parity_fixture.py

It rewrites tests/parity/fixtures/parity.json. The output is deterministic: fixed seeds, one CPU
thread, no randomness outside the seeded generators. Running it again must leave the file
unchanged (check with `git diff --stat tests/parity/fixtures`); the C# tests
(tests/STEM.Recommenders.Tests/Parity/PyTorchParityTests.cs) read the committed file and need no
Python.

What it does, at tiny sizes (d = 4, two tasks, batch 16):

* Fields (declared order): user (1 slot, task-specific), city (1 slot, shared-only), item (1 slot,
  task-specific), tags (3 slots, task-specific, weighted pooling with some zero "padding" weights)
  and genres (2 slots, shared-only). As in the library, fields with task-specific embeddings come
  first in the id space and in every view; ids in the fixture are global ids in that order.
* A plain PyTorch STEM-Net (1 layer, 1 expert per task, 2 shared experts, reference AFTB
  semantics: task t's gate reads view t + shared view and mixes every expert, with the other
  tasks' expert outputs detached) and a plain MMoE (3 shared experts), written here with
  per-field nn.Embedding tables and per-expert nn.Linear layers, independently of the C# code.
  Weights are random (fixed seed; embeddings std 0.8, Xavier-normal Linear weights with gain 1.5 and uniform
  biases in [-0.2, 0.2], so that the inputs visibly move the logits).
* For each model: the parameters exported under the C# parameter names and shapes (stacked
  [N, in, out] weights, [N, 1, out] biases, one wide table [rows, (T+1)*d] holding
  [task0 | task1 | shared] for task-specific fields and one narrow table for the rest), the logits,
  and one training step per optimizer case with the STEM reference semantics:
      loss = sum_t mean BCE-with-logits_t + (lambda / 2) * sum ||embedding table||^2
      torch.nn.utils.clip_grad_norm_(all parameters, max_norm)
      torch.optim.Adam(lr, default betas and eps).step()
  recording the per-task losses, the gradient norm before clipping, the updated parameters and
  the logits after the step. Case "no-clip" (lr 1e-3, lambda 1e-6, max_norm 10) must not clip;
  case "clip" (lr 1e-2, lambda 1e-2, max_norm 1e-6) must; the script checks both. Adam's first
  step is nearly blind to the gradient's scale (update = lr * g / (|g| + eps)), so clipping only
  shows in the updated parameters when the clipped gradients come down near eps = 1e-8: hence the
  tiny max_norm, which also makes the size of the L2 term visible in the update.

Every float is stored as float32 (shortest decimal that round-trips a float32).
"""

import copy
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 20240611
DIM = 4
TASKS = ["click", "like"]
BATCH = 16
# (name, rows, slots, task-specific), in declared order; the layout puts task-specific fields first.
FIELDS = [
    ("user", 7, 1, True),
    ("city", 4, 1, False),
    ("item", 9, 1, True),
    ("tags", 6, 3, True),
    ("genres", 5, 2, False),
]
EXPERT_UNITS = [8, 6]
GATE_UNITS = [5]
TOWER_UNITS = [4]
STEM_SHARED_EXPERTS = 2
STEM_EXPERTS_PER_TASK = 1
MMOE_EXPERTS = 3
EMBEDDING_STD = 0.8
LINEAR_GAIN = 1.5
CASES = [
    {"name": "no-clip", "learning_rate": 1e-3, "embedding_l2": 1e-6, "max_norm": 10.0},
    {"name": "clip", "learning_rate": 1e-2, "embedding_l2": 1e-2, "max_norm": 1e-6},
]

OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "parity.json")


class Layout:
    """Fields in id-space order (task-specific first), with global id offsets and slot positions."""

    def __init__(self, fields):
        ordered = [f for f in fields if f[3]] + [f for f in fields if not f[3]]
        self.fields = []
        offset = 0
        slot = 0
        for name, rows, slots, task_specific in ordered:
            self.fields.append({"name": name, "rows": rows, "slots": slots, "task_specific": task_specific,
                                "offset": offset, "first_slot": slot})
            offset += rows
            slot += slots
        self.total_rows = offset
        self.slot_count = slot


class Mlp(nn.Module):
    """Linear -> ReLU per hidden layer, then an optional output Linear without activation."""

    def __init__(self, in_dim, hidden, out_dim=None):
        super().__init__()
        widths = list(hidden) + ([out_dim] if out_dim is not None else [])
        self.hidden_layers = len(hidden)
        self.linears = nn.ModuleList()
        previous = in_dim
        for width in widths:
            linear = nn.Linear(previous, width)
            # He-like scale and non-zero biases, so that the inputs visibly move the logits.
            nn.init.xavier_normal_(linear.weight, gain=LINEAR_GAIN)
            nn.init.uniform_(linear.bias, -0.2, 0.2)
            self.linears.append(linear)
            previous = width

    def forward(self, x):
        for i, linear in enumerate(self.linears):
            x = linear(x)
            if i < self.hidden_layers:
                x = F.relu(x)
        return x


class FieldEmbeddings(nn.Module):
    """One table per field. With task views, a task-specific field's row is [view 0 | ... | view T-1 | shared]."""

    def __init__(self, layout, dim, task_views):
        super().__init__()
        self.layout = layout
        self.dim = dim
        self.task_views = task_views
        self.tables = nn.ModuleList()
        for field in layout.fields:
            width = (task_views + 1) * dim if task_views > 0 and field["task_specific"] else dim
            table = nn.Embedding(field["rows"], width)
            nn.init.normal_(table.weight, 0.0, EMBEDDING_STD)
            self.tables.append(table)

    def views(self, ids, slot_weights):
        """ids: int64 [B, S] global ids; returns T+1 tensors [B, F*d] (task views, then shared)."""
        pooled = []
        for field, table in zip(self.layout.fields, self.tables):
            first, count = field["first_slot"], field["slots"]
            local = ids[:, first:first + count] - field["offset"]
            vectors = table(local) * slot_weights[:, first:first + count].unsqueeze(-1)
            pooled.append(vectors.sum(dim=1))
        result = []
        for view in range(self.task_views + 1):
            parts = []
            for field, vector in zip(self.layout.fields, pooled):
                if self.task_views > 0 and field["task_specific"]:
                    parts.append(vector[:, view * self.dim:(view + 1) * self.dim])
                else:
                    parts.append(vector)
            result.append(torch.cat(parts, dim=1))
        return result

    def squared_norm(self):
        return sum(table.weight.pow(2).sum() for table in self.tables)


class StemNet(nn.Module):
    """STEM-Net, one layer: task and shared experts, AFTB gates, one tower per task."""

    def __init__(self, layout, tasks):
        super().__init__()
        self.tasks = tasks
        self.embedding = FieldEmbeddings(layout, DIM, tasks)
        in_dim = len(layout.fields) * DIM
        self.task_experts = nn.ModuleList(
            nn.ModuleList(Mlp(in_dim, EXPERT_UNITS) for _ in range(STEM_EXPERTS_PER_TASK)) for _ in range(tasks))
        self.shared_experts = nn.ModuleList(Mlp(in_dim, EXPERT_UNITS) for _ in range(STEM_SHARED_EXPERTS))
        experts = tasks * STEM_EXPERTS_PER_TASK + STEM_SHARED_EXPERTS
        self.gates = nn.ModuleList(Mlp(in_dim, GATE_UNITS, experts) for _ in range(tasks))
        self.towers = nn.ModuleList(Mlp(EXPERT_UNITS[-1], TOWER_UNITS, 1) for _ in range(tasks))

    def forward(self, ids, slot_weights):
        views = self.embedding.views(ids, slot_weights)
        shared_view = views[self.tasks]
        task_outputs = [[expert(views[t]) for expert in self.task_experts[t]] for t in range(self.tasks)]
        shared_outputs = [expert(shared_view) for expert in self.shared_experts]
        logits = []
        for t in range(self.tasks):
            # All forward: every expert contributes; task-specific backward: other tasks' experts detached.
            outputs = []
            for u in range(self.tasks):
                outputs += [o if u == t else o.detach() for o in task_outputs[u]]
            outputs += shared_outputs
            weights = torch.softmax(self.gates[t](views[t] + shared_view), dim=-1)
            mixed = sum(weights[:, e:e + 1] * outputs[e] for e in range(len(outputs)))
            logits.append(self.towers[t](mixed))
        return torch.cat(logits, dim=1)

    def tables(self):
        return self.embedding.squared_norm()

    def export(self):
        fields = self.embedding.layout.fields
        tables = list(self.embedding.tables)
        wide = [t.weight for f, t in zip(fields, tables) if f["task_specific"]]
        narrow = [t.weight for f, t in zip(fields, tables) if not f["task_specific"]]
        result = {}
        if wide:
            result["net.embedding.task_table"] = torch.cat(wide, dim=0)
        if narrow:
            result["net.embedding.shared_table"] = torch.cat(narrow, dim=0)
        experts = [e for per_task in self.task_experts for e in per_task] + list(self.shared_experts)
        result.update(stacked("net.experts.0.experts", experts))
        result.update(stacked("net.gates.0.gates", self.gates))
        result.update(stacked("net.towers.towers", self.towers))
        return result


class Mmoe(nn.Module):
    """MMoE: one shared embedding, shared experts, a softmax gate and a tower per task."""

    def __init__(self, layout, tasks):
        super().__init__()
        self.tasks = tasks
        self.embedding = FieldEmbeddings(layout, DIM, 0)
        in_dim = len(layout.fields) * DIM
        self.experts = nn.ModuleList(Mlp(in_dim, EXPERT_UNITS) for _ in range(MMOE_EXPERTS))
        self.gates = nn.ModuleList(Mlp(in_dim, GATE_UNITS, MMOE_EXPERTS) for _ in range(tasks))
        self.towers = nn.ModuleList(Mlp(EXPERT_UNITS[-1], TOWER_UNITS, 1) for _ in range(tasks))

    def forward(self, ids, slot_weights):
        x = self.embedding.views(ids, slot_weights)[0]
        outputs = [expert(x) for expert in self.experts]
        logits = []
        for t in range(self.tasks):
            weights = torch.softmax(self.gates[t](x), dim=-1)
            mixed = sum(weights[:, e:e + 1] * outputs[e] for e in range(len(outputs)))
            logits.append(self.towers[t](mixed))
        return torch.cat(logits, dim=1)

    def tables(self):
        return self.embedding.squared_norm()

    def export(self):
        result = {"embedding.shared_table": torch.cat([t.weight for t in self.embedding.tables], dim=0)}
        result.update(stacked("experts.experts", self.experts))
        result.update(stacked("gates", self.gates))
        result.update(stacked("towers.towers", self.towers))
        return result


def stacked(prefix, mlps):
    """The C# StackedMlp layout: weights.l [N, in, out] (x @ W + b), biases.l [N, 1, out]."""
    result = {}
    for layer in range(len(mlps[0].linears)):
        result[f"{prefix}.weights.{layer}"] = torch.stack([m.linears[layer].weight.t() for m in mlps])
        result[f"{prefix}.biases.{layer}"] = torch.stack([m.linears[layer].bias.unsqueeze(0) for m in mlps])
    return result


def make_batch(layout, generator):
    ids = torch.zeros(BATCH, layout.slot_count, dtype=torch.int64)
    weights = torch.zeros(BATCH, layout.slot_count)
    for field in layout.fields:
        for s in range(field["slots"]):
            column = field["first_slot"] + s
            # The last row of every field never occurs, so some rows of every table are untouched.
            local = torch.randint(0, field["rows"] - 1, (BATCH,), generator=generator)
            ids[:, column] = field["offset"] + local
            weights[:, column] = 0.25 + 1.5 * torch.rand(BATCH, generator=generator)
            if field["slots"] > 1 and s > 0:
                # Padding: a zero weight drops the slot from the pooled sum.
                padding = torch.rand(BATCH, generator=generator) < 0.3
                weights[padding, column] = 0.0
    labels = (torch.rand(BATCH, len(TASKS), generator=generator) < 0.5).float()
    return ids, weights, labels


def train_step(model, ids, weights, labels, case):
    optimizer = torch.optim.Adam(model.parameters(), lr=case["learning_rate"])
    optimizer.zero_grad()
    logits = model(ids, weights)
    task_losses = F.binary_cross_entropy_with_logits(logits, labels, reduction="none").mean(dim=0)
    loss = task_losses.sum() + case["embedding_l2"] / 2 * model.tables()
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), case["max_norm"])
    optimizer.step()
    with torch.no_grad():
        after = model(ids, weights)
    return task_losses.detach(), float(norm), after


def f32(tensor):
    """Flat list of float32 values, each the shortest decimal that round-trips its float32."""
    array = tensor.detach().to(torch.float32).numpy().ravel()
    return [float(repr(np.float32(x))) for x in array]


class Writer:
    """Pretty JSON with each tensor's values on one line (keeps the file small and diffable)."""

    def __init__(self):
        self.blobs = []

    def tensor(self, t):
        self.blobs.append(json.dumps(f32(t), separators=(",", ":")))
        return {"shape": list(t.shape), "values": f"@@{len(self.blobs) - 1}@@"}

    def raw(self, value):
        self.blobs.append(json.dumps(value, separators=(",", ":")))
        return f"@@{len(self.blobs) - 1}@@"

    def dumps(self, obj):
        text = json.dumps(obj, indent=1)
        for i, blob in enumerate(self.blobs):
            text = text.replace(f'"@@{i}@@"', blob, 1)
        return text + "\n"


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(SEED)
    layout = Layout(FIELDS)
    writer = Writer()
    data_generator = torch.Generator().manual_seed(SEED + 1)
    ids, weights, labels = make_batch(layout, data_generator)

    models = {}
    for name, factory in [("stem-net", lambda: StemNet(layout, len(TASKS))), ("mmoe", lambda: Mmoe(layout, len(TASKS)))]:
        model = factory()
        with torch.no_grad():
            logits = model(ids, weights)
        entry = {
            "parameters": {k: writer.tensor(v) for k, v in model.export().items()},
            "logits": writer.tensor(logits),
            "steps": [],
        }
        for case in CASES:
            trained = copy.deepcopy(model)
            task_losses, norm, after = train_step(trained, ids, weights, labels, case)
            clipped = norm > case["max_norm"]
            if clipped != (case["name"] == "clip"):
                sys.exit(f"{name} {case['name']}: gradient norm {norm} vs max_norm {case['max_norm']} "
                         "does not exercise the intended clipping branch")
            entry["steps"].append({
                **case,
                "clipped": clipped,
                "task_losses": writer.tensor(task_losses),
                "grad_norm": float(repr(np.float32(norm))),
                "parameters": {k: writer.tensor(v) for k, v in trained.export().items()},
                "logits": writer.tensor(after),
            })
            print(f"{name:9s} {case['name']:8s} grad norm {norm:.6f} (max {case['max_norm']}), "
                  f"losses {task_losses.tolist()}")
        models[name] = entry

    fixture = {
        "generator": "tests/parity/make_parity_fixture.py",
        "torch_version": torch.__version__.split("+")[0],
        "seed": SEED,
        "embedding_dim": DIM,
        "tasks": TASKS,
        "fields": [{"name": n, "rows": r, "slots": s, "task_specific": ts} for n, r, s, ts in FIELDS],
        "layout": [{"name": f["name"], "offset": f["offset"], "first_slot": f["first_slot"]} for f in layout.fields],
        "stem_net": {"expert_units": EXPERT_UNITS, "gate_units": GATE_UNITS, "tower_units": TOWER_UNITS,
                     "shared_experts": STEM_SHARED_EXPERTS, "specific_experts_per_task": STEM_EXPERTS_PER_TASK,
                     "layers": 1},
        "mmoe": {"expert_units": EXPERT_UNITS, "gate_units": GATE_UNITS, "tower_units": TOWER_UNITS,
                 "experts": MMOE_EXPERTS},
        "batch": {"ids": writer.raw(ids.tolist()), "slot_weights": writer.tensor(weights), "labels": writer.tensor(labels)},
        "models": models,
    }
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    text = writer.dumps(fixture)
    with open(OUTPUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(OUTPUT)} ({len(text.encode('utf-8'))} bytes)")


if __name__ == "__main__":
    main()
