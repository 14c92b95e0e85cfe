/**
 * The {@code qat} engine: Intel QAT (Gen4 and later) through qatlib's symmetric data-plane API,
 * implementing {@link dev.ovpndpdk.crypto.AsyncAeadEngine}. {@link
 * dev.ovpndpdk.qat.qatlib.QatlibEngine} starts qatlib and its instances and makes keys;
 * {@code QatlibKey} holds a session per instance; {@code QatlibQueue} is one worker's instance,
 * {@code RequestSlots} the USDM memory the device sees. {@link dev.ovpndpdk.qat.qatlib.QatlibProbe}
 * prints the one line that says whether QAT can be used here.
 *
 * <p>Verified only against the tests' stand-in library ({@code src/test/c/qat_standin.c}), never
 * against real qatlib or a device: see docs/qatlib.md.
 */
package dev.ovpndpdk.qat.qatlib;
