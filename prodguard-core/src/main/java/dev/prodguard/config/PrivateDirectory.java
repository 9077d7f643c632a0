package dev.prodguard.config;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * A directory that only the user running prodguard can change: where local state lives (the local
 * audit log, G10) and where backups are written (G9). Another local user who can write there could
 * replace a dump between backup and deploy, plant a file the deploy trusts, or rewrite the local
 * audit log; prodguard refuses such a directory instead of using it as is (the rule OpenSSH applies
 * to {@code ~/.ssh} with {@code StrictModes}).
 *
 * <p>Rules, on file systems with POSIX permissions (elsewhere nothing is checked):
 *
 * <ul>
 *   <li>a missing directory is created, each folder created with mode {@code 0700};
 *   <li>an existing directory must be owned by the current user and not writable by group or others
 *       (mode {@code 0700} or {@code 0755} are fine, {@code 0775}, {@code 0777} and {@code 1777}
 *       are not);
 *   <li>every existing folder above it must not be writable by others unless its sticky bit is set
 *       ({@code /tmp} is fine): otherwise someone could rename the directory away and put another
 *       in its place.
 * </ul>
 *
 * Refusals are {@link NotPrivate}, an {@link IOException} whose reason names the folder and its
 * mode; callers turn it into their guarantee's one-screen refusal.
 */
public final class PrivateDirectory {
  private static final int STICKY = 01000;

  private PrivateDirectory() {}

  /** The directory is not private: {@link #getReason()} says why, {@link #getFile()} names it. */
  public static final class NotPrivate extends FileSystemException {
    private static final long serialVersionUID = 1L;

    public NotPrivate(Path file, String reason) {
      super(file.toString(), null, reason);
    }

    /** The one right way forward, for a refusal's last line. */
    public String fix() {
      return "make it private ('chmod 700 "
          + getFile()
          + "', owned by the user that runs prodguard) or point the setting at a folder only that"
          + " user can write";
    }
  }

  /**
   * Creates {@code dir} (mode {@code 0700}) when it is missing, then checks that it is private.
   *
   * @throws NotPrivate when it, or a folder above it, can be changed by another user
   * @throws IOException when it cannot be created (the file system's own exception)
   */
  public static Path ensure(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    if (!posix()) {
      Files.createDirectories(abs);
      return abs;
    }
    createPrivate(abs);
    check(abs);
    return abs;
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  private static void createPrivate(Path abs) throws IOException {
    if (Files.isDirectory(abs)) {
      return;
    }
    Path parent = abs.getParent();
    if (parent != null) {
      createPrivate(parent);
    }
    if (!Files.isDirectory(abs)) {
      try {
        Files.createDirectory(
            abs,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // another thread or process created it meanwhile (a fleet's targets back up at once);
        // anything but a directory is still refused, and check() judges the one that is there
        if (Files.isDirectory(abs, LinkOption.NOFOLLOW_LINKS)) {
          return;
        }
        throw e;
      }
      // the umask may have taken bits away; never added any
      Files.setPosixFilePermissions(abs, PosixFilePermissions.fromString("rwx------"));
    }
  }

  private static void check(Path abs) throws IOException {
    if (!Files.isDirectory(abs)) {
      throw new java.nio.file.NotDirectoryException(abs.toString());
    }
    UserPrincipal me =
        abs.getFileSystem()
            .getUserPrincipalLookupService()
            .lookupPrincipalByName(System.getProperty("user.name"));
    UserPrincipal owner = Files.getOwner(abs);
    if (!owner.equals(me)) {
      throw new NotPrivate(
          abs, "it is owned by '" + owner.getName() + "', not by '" + me.getName() + "'");
    }
    Set<PosixFilePermission> own = Files.getPosixFilePermissions(abs);
    if (own.contains(PosixFilePermission.GROUP_WRITE)
        || own.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new NotPrivate(
          abs, "other users can write to it (mode " + mode(abs) + "); it must be 0700 or 0755");
    }
    for (Path up = abs.toRealPath().getParent(); up != null; up = up.getParent()) {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(up);
      if (p.contains(PosixFilePermission.OTHERS_WRITE) && (modeBits(up) & STICKY) == 0) {
        throw new NotPrivate(
            abs,
            "the folder above it, "
                + up
                + ", can be written by any user without the sticky bit (mode "
                + mode(up)
                + "): anyone could put another folder in its place");
      }
    }
  }

  /** The mode with its sticky bit where the platform reports it ("unix" view), else 0777 bits. */
  private static int modeBits(Path p) throws IOException {
    try {
      Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      if (mode instanceof Integer i) {
        return i;
      }
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      // no "unix" attribute view: fall back to the permission bits
    }
    int bits = 0;
    for (PosixFilePermission perm : Files.getPosixFilePermissions(p)) {
      bits |= 0400 >> perm.ordinal();
    }
    return bits;
  }

  private static String mode(Path p) throws IOException {
    return String.format("%04o", modeBits(p) & 07777);
  }
}
