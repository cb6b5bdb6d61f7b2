package org.vpsd.driver.libvirt;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.event.DomainEvent;
import org.libvirt.event.DomainEventType;
import org.libvirt.event.LifecycleListener;
import org.libvirt.event.RebootListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vpsd.server.driver.VmListener;

/**
 * libvirt's domain events on every connection: lifecycle events (a guest that powered itself off,
 * crashed, or was started outside vpsd) go to the {@link VmListener}s; reboot events (the guest
 * rebooted, or was reset) are counted per domain for {@code bootCount}. Events are a fast path
 * only: the server's reconciler polls {@code states()} as the safety net. Callbacks run on
 * libvirt's event-loop thread and do nothing that blocks.
 */
final class Events implements Connections.Watcher {
    private static final Logger LOG = LoggerFactory.getLogger(Events.class);

    private record Registered(LifecycleListener lifecycle, RebootListener reboot) {}

    private final List<VmListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicLong> reboots = new ConcurrentHashMap<>();
    private final Map<Connect, Registered> registered = new ConcurrentHashMap<>();

    void addListener(VmListener l) {
        listeners.add(l);
    }

    private static String key(String uri, String name) {
        return uri + "\n" + name;
    }

    /** How many reboots and resets of this domain this process has seen. */
    long reboots(String uri, String name) {
        AtomicLong n = reboots.get(key(uri, name));
        return n == null ? 0 : n.get();
    }

    /** Counts a reboot (also called by reset(), so that a reset shows even if its event is late). */
    void countReboot(String uri, String name) {
        reboots.computeIfAbsent(key(uri, name), k -> new AtomicLong()).incrementAndGet();
    }

    @Override
    public void opened(String uri, Connect c) {
        LifecycleListener lifecycle = (domain, event) -> {
            onLifecycle(domain, event);
            return 0;
        };
        RebootListener reboot = domain -> {
            String name = nameOf(domain);
            if (name != null) {
                countReboot(uri, name);
                LOG.debug("{} on {} rebooted", name, uri);
            }
        };
        try {
            c.addLifecycleListener(lifecycle);
            c.addRebootListener(reboot);
            registered.put(c, new Registered(lifecycle, reboot));
        } catch (LibvirtException e) {
            LOG.warn("No libvirt events from {} ({}); changes are seen by polling only", uri, Errors.message(e));
        }
    }

    @Override
    public void closing(String uri, Connect c) {
        Registered r = registered.remove(c);
        if (r == null) {
            return;
        }
        try {
            c.removeLifecycleListener(r.lifecycle());
        } catch (LibvirtException e) {
            LOG.debug("Removing the lifecycle listener from {}: {}", uri, Errors.message(e));
        }
        try {
            NativeExtras.removeRebootListener(c, r.reboot());
        } catch (RuntimeException e) {
            LOG.debug("Removing the reboot listener from {}: {}", uri, e.toString());
        }
    }

    private void onLifecycle(Domain domain, DomainEvent event) {
        String name = nameOf(domain);
        DomainEventType type = event.getType();
        if (name == null) {
            return;
        }
        LOG.debug("{}: {}", name, event);
        if (type == DomainEventType.STOPPED || type == DomainEventType.CRASHED || type == DomainEventType.STARTED) {
            for (VmListener l : listeners) {
                try {
                    l.changed(name);
                } catch (RuntimeException e) {
                    LOG.warn("A listener failed on {}: {}", name, e.toString());
                }
            }
        }
    }

    /** The domain's name (a local call), and the reference the binding took for the callback released. */
    private static String nameOf(Domain domain) {
        try {
            return domain.getName();
        } catch (LibvirtException e) {
            return null;
        } finally {
            Handles.free(domain);
        }
    }
}
