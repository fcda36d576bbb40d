"""The office's mail: the outbox, the messages, the transport, the sender thread and its CLI."""
