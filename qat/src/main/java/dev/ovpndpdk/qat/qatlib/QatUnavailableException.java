package dev.ovpndpdk.qat.qatlib;

/**
 * qatlib or a QAT device cannot be used here. The message is one line naming the step that
 * failed (library, device, start, instances) and what to do; it is all the caller should log.
 */
public final class QatUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public QatUnavailableException(String oneLine) {
        super(oneLine);
    }
}
