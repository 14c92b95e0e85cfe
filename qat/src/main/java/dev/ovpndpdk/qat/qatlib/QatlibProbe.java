package dev.ovpndpdk.qat.qatlib;

/**
 * Says in one line whether the qat engine can run here, for operators and for the absence test:
 * {@code qat: <description>} and exit status 0, or {@code qat unavailable: <reason>} and 1. It
 * starts one instance and stops it again.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp ... dev.ovpndpdk.qat.qatlib.QatlibProbe</pre>
 */
public final class QatlibProbe {
    private QatlibProbe() {
    }

    public static void main(String[] args) {
        try (QatlibEngine engine = QatlibEngine.open(1)) {
            System.out.println("qat: " + engine.describe());
        } catch (QatUnavailableException e) {
            System.out.println("qat unavailable: " + e.getMessage());
            System.exit(1);
        }
    }
}
