"""The channel gateway: holders talk to the hub, the hub talks to Rasa."""
