package dev.scanflux.core.blockhound;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Makes BlockHound catch NIO file reads and writes, which it does not flag by default:
 * {@code Files.newInputStream} and {@code Files.newOutputStream} go through {@code FileChannel}
 * rather than {@code java.io.FileInputStream}. Loaded by {@link BlockHound#install} through
 * {@code META-INF/services}, so it applies whichever test installs BlockHound first.
 */
public final class FileChannelBlockHoundIntegration implements BlockHoundIntegration {

  @Override
  public void applyTo(BlockHound.Builder builder) {
    builder.markAsBlocking("sun.nio.ch.FileChannelImpl", "read", "(Ljava/nio/ByteBuffer;)I");
    builder.markAsBlocking("sun.nio.ch.FileChannelImpl", "write", "(Ljava/nio/ByteBuffer;)I");
  }
}
