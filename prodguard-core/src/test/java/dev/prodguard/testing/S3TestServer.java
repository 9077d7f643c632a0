package dev.prodguard.testing;

import java.net.URI;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * An S3-compatible server in the test's JVM (S3Proxy over jclouds' in-memory "transient" blob
 * store, from Maven Central), on a free loopback port, with SigV4 authentication: the bucket a
 * backup goes to, and a back door ({@link #blobStore()}) to delete or change what it holds.
 */
public final class S3TestServer implements AutoCloseable {
  public static final String ACCESS_KEY = "prodguard-test-access";
  public static final String SECRET_KEY = "prodguard-test-secret-Zq81xW";

  private final BlobStoreContext context;
  private final S3Proxy proxy;

  public S3TestServer(String... buckets) throws Exception {
    context =
        ContextBuilder.newBuilder("transient")
            .credentials("identity", "credential")
            .overrides(new Properties())
            .build(BlobStoreContext.class);
    proxy =
        S3Proxy.builder()
            .blobStore(context.getBlobStore())
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .build();
    proxy.start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
      }
      Thread.sleep(10);
    }
    for (String b : buckets) {
      context.getBlobStore().createContainerInLocation(null, b);
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + proxy.getPort();
  }

  public BlobStore blobStore() {
    return context.getBlobStore();
  }

  @Override
  public void close() throws Exception {
    try {
      proxy.stop();
    } finally {
      context.close();
    }
  }
}
