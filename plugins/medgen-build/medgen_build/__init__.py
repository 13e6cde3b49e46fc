"""medgen build: turn permissively licensed medical images into a MedGEN-Bench-style dataset.

The module is the plugin object: it exposes the hook implementations that
register the built-in transforms and the ``medgen build`` command. Importing
it loads only numpy and click (scipy and scikit-image load at first use).
"""

from medgen_build.plugin import medgen_add_hookspecs, medgen_register_commands, medgen_register_transforms

__version__ = "0.1.0"

__all__ = ["__version__", "medgen_add_hookspecs", "medgen_register_commands", "medgen_register_transforms"]
