"""The conversation layer: Rasa training data in `data/`, custom actions in `actions/`."""
