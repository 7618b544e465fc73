/* sdnotify: tells systemd how the service is doing over $NOTIFY_SOCKET (no libsystemd). */
#ifndef MW_SDNOTIFY_H
#define MW_SDNOTIFY_H

/* Sends state (e.g. "READY=1", "STOPPING=1", "STATUS=...") as one datagram to
 * $NOTIFY_SOCKET. Returns 1 if sent, 0 if not under a notifying service
 * manager, -1 if sending failed. */
int sdnotify_send(const char *state);

/* 1 if memwatch runs as a systemd service ($NOTIFY_SOCKET or $INVOCATION_ID set). */
int sdnotify_under_systemd(void);

#endif
