package org.jgluon.repl;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.Map;
import java.util.Set;

import org.graalvm.polyglot.io.FileSystem;

/**
 * What a sandboxed script may read: the files under one directory (the script's), which is what
 * {@code require('./lib/x.js')} needs. Everything else is refused with a message that says how to
 * lift the restriction. Wrapped in {@link FileSystem#newReadOnlyFileSystem} by {@link Sandbox}.
 */
final class ScriptTreeFileSystem implements FileSystem {

    private final FileSystem delegate = FileSystem.newDefaultFileSystem();
    private final Path root;

    ScriptTreeFileSystem(Path root) {
        this.root = realOrNormal(root.toAbsolutePath().normalize());
        delegate.setCurrentWorkingDirectory(this.root);
    }

    private static Path realOrNormal(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    private Path check(Path path) {
        Path abs = delegate.toAbsolutePath(path).normalize();
        // Resolve symbolic links where the file exists, so a link cannot lead out of the tree.
        Path real = realOrNormal(abs);
        if (!real.startsWith(root)) {
            throw new SecurityException("scripts may read only files under " + root + " (the script's directory); "
                    + path + " is outside it. Run with --allow-host-access to lift this.");
        }
        return abs;
    }

    @Override
    public Path parsePath(URI uri) {
        return delegate.parsePath(uri);
    }

    @Override
    public Path parsePath(String path) {
        return delegate.parsePath(path);
    }

    @Override
    public void checkAccess(Path path, Set<? extends AccessMode> modes, LinkOption... linkOptions) throws IOException {
        delegate.checkAccess(check(path), modes, linkOptions);
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        throw new SecurityException("scripts may not create directories: " + dir);
    }

    @Override
    public void delete(Path path) throws IOException {
        throw new SecurityException("scripts may not delete files: " + path);
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        return delegate.newByteChannel(check(path), options, attrs);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        return delegate.newDirectoryStream(check(dir), filter);
    }

    @Override
    public Path toAbsolutePath(Path path) {
        return delegate.toAbsolutePath(path);
    }

    @Override
    public Path toRealPath(Path path, LinkOption... linkOptions) throws IOException {
        return delegate.toRealPath(check(path), linkOptions);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        return delegate.readAttributes(check(path), attributes, options);
    }

    @Override
    public void setCurrentWorkingDirectory(Path currentWorkingDirectory) {
        delegate.setCurrentWorkingDirectory(currentWorkingDirectory);
    }
}
