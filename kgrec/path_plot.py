"""A picture of explanation paths: the subgraph their nodes and relationships form, drawn left to right from the
user to the explained item, each node in the column of its position on its path, the paths' sentences below.

Input is what the GraphQL API returns for `explanations` / `explain` (`nodes { kind id name }`,
`relationships { type source target rating weight }`, `sentence`), so a front-end's answer can be drawn as well.
"""

from __future__ import annotations

import textwrap
from fractions import Fraction
from pathlib import Path
from typing import Any

import networkx as nx
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.figure import Figure
from matplotlib.patches import Patch

COLOURS = {"USER": "#4C72B0", "ITEM": "#DD8452", "ENTITY": "#55A868"}
PLOT_FORMATS = frozenset(FigureCanvasBase.get_supported_filetypes())  # file suffixes `draw_paths` can write
NodeKey = tuple[str, str]  # (kind, id): one node however many paths pass through it


def _key(node: dict[str, Any]) -> NodeKey:
    return node["kind"], str(node["id"])


def _edge_label(rel: dict[str, Any]) -> str:
    if rel.get("rating") is not None:
        return f"{rel['type']} {rel['rating']:g}★"
    if rel.get("weight") is not None:
        return f"{rel['type']} {rel['weight']:g}"
    return rel["type"]


def path_graph(paths: list[dict[str, Any]]) -> nx.DiGraph:
    """The union of the paths as one directed graph (relationships in their stored direction).

    Node attributes: `name`, `kind`, `column` (its position on the first path it is on, as a fraction of that
    path: the user is at 0, the explained item at 1), `explained` (the last node of some path). Edge attribute
    `label`: the relationship types (with a rating or weight) joined when several paths use the same pair.
    """
    graph = nx.DiGraph()
    for path in paths:
        nodes = path["nodes"]
        for k, node in enumerate(nodes):
            key = _key(node)
            if key not in graph:
                graph.add_node(key, name=node.get("name") or node["id"], kind=node["kind"],
                               column=Fraction(k, len(nodes) - 1), explained=False)
        graph.nodes[_key(nodes[-1])]["explained"] = True
        for rel in path["relationships"]:
            source, target = _key(nodes[rel["source"]]), _key(nodes[rel["target"]])
            label = _edge_label(rel)
            if graph.has_edge(source, target):
                labels = graph.edges[source, target]["label"].split("\n")
                if label not in labels:
                    graph.edges[source, target]["label"] = "\n".join([*labels, label])
            else:
                graph.add_edge(source, target, label=label)
    return graph


def layered_layout(graph: nx.DiGraph) -> dict[NodeKey, tuple[float, float]]:
    """Positions: one column per distinct `column` value, left to right; within a column, nodes ordered by the mean
    height of their neighbours in the columns already placed (one barycentre sweep: few crossing edges)."""
    columns = sorted({graph.nodes[n]["column"] for n in graph})
    y: dict[NodeKey, float] = {}
    position: dict[NodeKey, tuple[float, float]] = {}
    for x, column in enumerate(columns):
        layer = [n for n in graph if graph.nodes[n]["column"] == column]

        def height(n: NodeKey) -> float:
            placed = [y[m] for m in nx.all_neighbors(graph, n) if m in y]
            return sum(placed) / len(placed) if placed else 0.0

        layer.sort(key=height, reverse=True)
        for i, n in enumerate(layer):
            y[n] = (len(layer) - 1) / 2 - i
            position[n] = (float(x), y[n])
    return position


def _plain(sentence: str) -> str:
    """A sentence without its Markdown emphasis."""
    return sentence.replace("*", "")


def draw_paths(paths: list[dict[str, Any]], out: Path, title: str) -> Path:
    """Draw the paths' subgraph with their numbered sentences below it; the format follows `out`'s suffix
    (.png, .svg, .pdf). Names and sentences are drawn as they are (a `$` is not matplotlib math). Returns `out`."""
    if not paths:
        raise ValueError("no explanation paths to draw")
    graph = path_graph(paths)
    position = layered_layout(graph)
    columns = sorted({x for x, _ in position.values()})
    tallest = max(sum(1 for x, _ in position.values() if x == c) for c in columns)
    width_in = 3 + 2.4 * len(columns)
    sentences = [textwrap.fill(f"{i}. {_plain(p['sentence'])}", int(width_in / 0.065)) for i, p in enumerate(paths, 1)]
    text_in = 0.16 * sum(s.count("\n") + 1 for s in sentences) + 0.3  # inches of sentences under the graph
    graph_in = max(2.5, 0.55 * tallest) + 0.6
    fig = Figure(figsize=(width_in, graph_in + text_in))
    ax = fig.add_axes((0.01, text_in / (graph_in + text_in), 0.98, graph_in / (graph_in + text_in) - 0.06))
    ax.set_axis_off()
    nx.draw_networkx_edges(graph, position, ax=ax, edge_color="#999999", arrows=True, arrowsize=10, node_size=0,
                           min_source_margin=32, min_target_margin=32, connectionstyle="arc3,rad=0.05")
    nx.draw_networkx_edge_labels(graph, position, ax=ax, edge_labels=nx.get_edge_attributes(graph, "label"),
                                 font_size=6, rotate=False, bbox={"boxstyle": "round", "fc": "white", "ec": "none"})
    for n, (x, y) in position.items():
        node = graph.nodes[n]
        ax.text(x, y, textwrap.fill(str(node["name"]), 20), ha="center", va="center", fontsize=7, color="white",
                zorder=3, parse_math=False, bbox={"boxstyle": "round,pad=0.35", "fc": COLOURS[node["kind"]],
                                "ec": "black" if node["explained"] else "none", "lw": 1.5})
    ax.legend(handles=[Patch(color=c, label=k.lower()) for k, c in COLOURS.items()], loc="upper left", fontsize=7,
              frameon=False, bbox_to_anchor=(0, 1.06))
    ax.margins(0.08, 0.06)
    fig.suptitle(title, fontsize=10, parse_math=False)
    fig.text(0.01, 0.1 / (graph_in + text_in), "\n".join(sentences), fontsize=7, va="bottom", ha="left",
             parse_math=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=130)
    return out
