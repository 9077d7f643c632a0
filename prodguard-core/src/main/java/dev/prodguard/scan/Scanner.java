package dev.prodguard.scan;

import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ConfigLoader;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.findings.Finding;
import dev.prodguard.scan.read.FileLister;
import dev.prodguard.scan.rules.CommittedProdguardOutput;
import dev.prodguard.scan.rules.Rules;
import dev.prodguard.scan.rules.UnreadableFile;
import dev.prodguard.scan.rules.UnusedScanException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code prodguard scan}: reads the files of a repository (what git tracks, or everything outside
 * {@code .git}), runs the rules, and applies the contract's {@code scan-exceptions}. There is no
 * inline suppression: only a reviewed contract entry covers a finding, and an entry that covers
 * nothing is itself an error.
 */
public final class Scanner {
  public static final long DEFAULT_MAX_BYTES = 2L * 1024 * 1024;
  static final int BINARY_PROBE = 8192;

  /** Why a file of prodguard's own output is not scanned, and what to do about it. */
  static final String PRODGUARD_OUTPUT =
      "prodguard's own audit log or backup: add "
          + ScanContext.OUTPUT_FOLDER
          + " to .gitignore (backups hold production data)";

  private final List<Rule> rules;
  private final long maxBytes;

  public Scanner() {
    this(Rules.all(), DEFAULT_MAX_BYTES);
  }

  public Scanner(List<Rule> rules, long maxBytes) {
    this.rules = List.copyOf(rules);
    this.maxBytes = maxBytes;
  }

  /** Scans {@code dir} with its own {@code prodguard.yml} (if any). */
  public ScanReport scan(Path dir) {
    return scan(dir, Optional.empty());
  }

  /**
   * Scans {@code dir}; {@code configFile} overrides {@code dir/prodguard.yml} and must then exist.
   * Malformed configuration or contract files are configuration errors (exit 2), not findings.
   */
  public ScanReport scan(Path dir, Optional<Path> configFile) {
    if (!Files.isDirectory(dir)) {
      throw new ConfigException("not a directory: " + dir);
    }
    Path root = dir.toAbsolutePath().normalize();
    Path configPath =
        configFile
            .map(p -> p.toAbsolutePath().normalize())
            .orElse(root.resolve(ConfigLoader.DEFAULT_FILE));
    Optional<ProdguardConfig> config = Optional.empty();
    if (Files.exists(configPath)) {
      config = Optional.of(ConfigLoader.load(configPath));
    } else if (configFile.isPresent()) {
      throw new ConfigException(configPath, 0, null, "file not found");
    }
    Path contractFile =
        config.map(ProdguardConfig::contract).orElse(root.resolve(ContractLoader.DEFAULT_FILE));
    Optional<Contract> contract =
        Files.exists(contractFile)
            ? Optional.of(ContractLoader.load(contractFile))
            : Optional.empty();

    FileLister.Listing listing = FileLister.list(root);
    ScanContext context =
        new ScanContext(
            root,
            config,
            relative(root, configPath),
            contract,
            relative(root, contractFile),
            new LinkedHashSet<>(listing.paths()),
            listing.git(),
            new TestDatabases(root, Set.copyOf(listing.paths())));

    List<Finding> found = Collections.synchronizedList(new ArrayList<>());
    List<ScanReport.Skipped> skipped = Collections.synchronizedList(new ArrayList<>());
    List<ScanReport.Skipped> unreadable = Collections.synchronizedList(new ArrayList<>());
    for (String name : listing.unreadable()) {
      unreadable.add(new ScanReport.Skipped(name, "its name is not UTF-8, so no path can name it"));
    }
    int[] scanned = new int[1];
    List<String> output = Collections.synchronizedList(new ArrayList<>());
    listing.paths().parallelStream()
        .forEach(
            path -> {
              if (context.isProdguardOutput(path)) {
                // not read (not code), but in the repository: a finding, not only "skipped"
                skipped.add(new ScanReport.Skipped(path, PRODGUARD_OUTPUT));
                output.add(path);
                return;
              }
              ScanFile file = read(root, path, skipped, unreadable);
              if (file == null) {
                return;
              }
              synchronized (scanned) {
                scanned[0]++;
              }
              if (context.isProdguardFile(path) && path.equals(context.contractPath())) {
                return;
              }
              List<Finding> local = new ArrayList<>();
              for (Rule rule : rules) {
                if (rule.appliesTo(file, context)) {
                  rule.check(file, context, local);
                }
              }
              found.addAll(local);
            });
    for (Rule rule : rules) {
      rule.checkRepository(context, found);
      if (rule instanceof UnreadableFile u) {
        for (ScanReport.Skipped f : unreadable) {
          found.add(u.unreadable(f.path(), f.reason()));
        }
      }
      if (rule instanceof CommittedProdguardOutput c) {
        for (String path : output) {
          found.add(c.committed(path));
        }
      }
    }

    List<Finding> findings = new ArrayList<>(dedupe(found));
    List<ScanReport.Excepted> excepted = new ArrayList<>();
    applyExceptions(context, findings, excepted);
    findings.sort(Finding.ORDER);
    skipped.sort(java.util.Comparator.comparing(ScanReport.Skipped::path));
    String note =
        config.isPresent()
            ? null
            : "no "
                + ConfigLoader.DEFAULT_FILE
                + " at the repository root: not a prodguard-managed application, so the"
                + " prodguard-integrity checks (contract, callback, fingerprints) do not apply";
    return new ScanReport(root, rules, findings, scanned[0], skipped, excepted, note);
  }

  /**
   * Whether a file could hold commands or settings: a kind the rules read by its name (not SQL
   * migrations, not unknown kinds such as images), an executable, or a shebang.
   */
  static boolean couldHoldCommands(String path, Path file, byte[] head) {
    boolean shebang = head.length >= 2 && head[0] == '#' && head[1] == '!';
    FileKind kind = FileKind.of(path, shebang ? "#!" : "");
    if (kind == FileKind.OTHER && !shebang && isBinaryData(path, head)) {
      return false; // an executable bit on a Flash movie or an image does not make it a script
    }
    return (kind != FileKind.OTHER && kind != FileKind.SQL) || shebang || Files.isExecutable(file);
  }

  /**
   * Binary data formats by name and content: the extension names the format and the file starts
   * with that format's signature, so a script merely renamed to {@code .swf} is still judged by its
   * executable bit (issue 15: a vendored {@code FileAPI.flash.swf} committed with mode 755).
   */
  private static final java.util.Map<String, List<byte[]>> DATA_SIGNATURES =
      java.util.Map.ofEntries(
          java.util.Map.entry("swf", sigs("FWS", "CWS", "ZWS")),
          java.util.Map.entry("png", sigs("\u0089PNG")),
          java.util.Map.entry("gif", sigs("GIF87a", "GIF89a")),
          java.util.Map.entry("jpg", sigs("\u00ff\u00d8\u00ff")),
          java.util.Map.entry("jpeg", sigs("\u00ff\u00d8\u00ff")),
          java.util.Map.entry("ico", sigs("\u0000\u0000\u0001\u0000")),
          java.util.Map.entry("pdf", sigs("%PDF-")),
          java.util.Map.entry("woff", sigs("wOFF")),
          java.util.Map.entry("woff2", sigs("wOF2")),
          java.util.Map.entry("ttf", sigs("\u0000\u0001\u0000\u0000", "true")),
          java.util.Map.entry("otf", sigs("OTTO")),
          java.util.Map.entry("zip", sigs("PK\u0003\u0004", "PK\u0005\u0006")),
          java.util.Map.entry("jar", sigs("PK\u0003\u0004")),
          java.util.Map.entry("gz", sigs("\u001f\u008b")),
          java.util.Map.entry("class", sigs("\u00ca\u00fe\u00ba\u00be")));

  private static List<byte[]> sigs(String... latin1) {
    List<byte[]> out = new ArrayList<>();
    for (String s : latin1) {
      out.add(s.getBytes(StandardCharsets.ISO_8859_1));
    }
    return out;
  }

  static boolean isBinaryData(String path, byte[] head) {
    int dot = path.lastIndexOf('.');
    if (dot < 0 || dot < path.lastIndexOf('/')) {
      return false;
    }
    List<byte[]> signatures =
        DATA_SIGNATURES.get(path.substring(dot + 1).toLowerCase(java.util.Locale.ROOT));
    if (signatures == null) {
      return false;
    }
    for (byte[] sig : signatures) {
      if (head.length >= sig.length
          && java.util.Arrays.equals(head, 0, sig.length, sig, 0, sig.length)) {
        return true;
      }
    }
    return false;
  }

  private static byte[] head(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(8);
    }
  }

  private ScanFile read(
      Path root,
      String path,
      List<ScanReport.Skipped> skipped,
      List<ScanReport.Skipped> unreadable) {
    Path file = root.resolve(path);
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        if (Files.isSymbolicLink(file)) {
          skipped.add(new ScanReport.Skipped(path, "symbolic link"));
        }
        return null; // deleted in the work tree, or a submodule
      }
      long size = Files.size(file);
      if (size > maxBytes) {
        String why = "larger than " + maxBytes + " bytes";
        if (couldHoldCommands(path, file, head(file))) {
          unreadable.add(new ScanReport.Skipped(path, why));
        } else {
          skipped.add(new ScanReport.Skipped(path, why));
        }
        return null;
      }
      byte[] bytes;
      try (InputStream in = Files.newInputStream(file)) {
        bytes = in.readAllBytes();
      }
      // a NUL byte marks a binary file; in a script or a configuration file it is not binary
      // but a way to hide the rest of the file from the scan
      boolean commands = couldHoldCommands(path, file, bytes);
      int probe = commands ? bytes.length : Math.min(bytes.length, BINARY_PROBE);
      for (int i = 0; i < probe; i++) {
        if (bytes[i] == 0) {
          if (commands && javaValueNuls(path, bytes)) {
            break; // NULs only where Java takes them as values: read as the compiler does
          }
          if (commands) {
            unreadable.add(new ScanReport.Skipped(path, "it holds a NUL byte (at byte " + i + ")"));
          } else {
            skipped.add(new ScanReport.Skipped(path, "binary"));
          }
          return null;
        }
      }
      String text = new String(bytes, StandardCharsets.UTF_8);
      if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
        text = text.substring(1);
      }
      return new ScanFile(path, text);
    } catch (IOException e) {
      throw new ConfigException(
          file, 0, null, "cannot read a file the scan must cover: " + e.getMessage());
    }
  }

  /**
   * A Java source file whose every NUL byte is inside a character or string literal or a comment
   * ({@link JavaNuls}), and that is UTF-8: the compiler takes such a NUL as a value, so it cannot
   * hide code from the scan (a NUL in code does not compile). Any other language keeps the refusal.
   */
  private static boolean javaValueNuls(String path, byte[] bytes) {
    if (FileKind.of(path, "") != FileKind.JAVA) {
      return false;
    }
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
              .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes))
              .toString();
      return JavaNuls.outsideLiterals(text).isEmpty();
    } catch (java.nio.charset.CharacterCodingException e) {
      return false;
    }
  }

  private static List<Finding> dedupe(List<Finding> found) {
    Map<String, Finding> unique = new LinkedHashMap<>();
    for (Finding f : found) {
      unique.putIfAbsent(f.rule() + "\u0000" + f.position() + "\u0000" + f.message(), f);
    }
    return new ArrayList<>(unique.values());
  }

  private void applyExceptions(
      ScanContext context, List<Finding> findings, List<ScanReport.Excepted> excepted) {
    if (context.contract().isEmpty()) {
      return;
    }
    Contract contract = context.contract().get();
    Set<Contract.ScanException> used = new HashSet<>();
    findings.removeIf(
        f -> {
          if (f.rule().equals(UnusedScanException.ID)) {
            return false;
          }
          for (Contract.ScanException e : contract.scanExceptions()) {
            if (e.rule().equals(f.rule()) && e.matchesPath(f.file())) {
              used.add(e);
              excepted.add(
                  new ScanReport.Excepted(f, e.reason(), context.contractPath(), e.line()));
              return true;
            }
          }
          return false;
        });
    Optional<Rule> unusedRule =
        rules.stream().filter(r -> r.id().equals(UnusedScanException.ID)).findFirst();
    if (unusedRule.isEmpty()) {
      return;
    }
    Set<String> active = new HashSet<>();
    for (Rule r : rules) {
      active.add(r.id());
    }
    for (Contract.ScanException e : contract.scanExceptions()) {
      boolean known = Rules.ids().contains(e.rule());
      // an entry for a known rule that this (partial) scan did not run cannot be judged
      if (!used.contains(e) && (active.contains(e.rule()) || !known)) {
        findings.add(((UnusedScanException) unusedRule.get()).unused(context, e, known));
      }
    }
  }

  static String relative(Path root, Path file) {
    Path abs = file.toAbsolutePath().normalize();
    return abs.startsWith(root)
        ? root.relativize(abs).toString().replace('\\', '/')
        : abs.toString();
  }
}
