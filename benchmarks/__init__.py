"""kgrec benchmarks: speed, memory and accuracy, written to benchmarks/README.md and benchmarks/results/."""

import warnings

# PyG's import-time torch.jit.script FutureWarning, as in learner/__init__.py
warnings.filterwarnings("ignore", message=r"`torch\.jit\.script` is deprecated", category=FutureWarning)
