"""``python -m medgen_core`` runs the CLI, so module launchers work: ``accelerate launch -m medgen_core run ...``."""

from medgen_core.cli import main

if __name__ == "__main__":
    main()
