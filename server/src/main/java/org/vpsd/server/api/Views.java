package org.vpsd.server.api;

import java.util.List;
import java.util.Set;
import org.vpsd.client.wire.ActionResult;
import org.vpsd.client.wire.Location;
import org.vpsd.client.wire.OperatingSystem;
import org.vpsd.client.wire.OsRef;
import org.vpsd.client.wire.Plan;
import org.vpsd.client.wire.PlanDetailRef;
import org.vpsd.client.wire.PlanRef;
import org.vpsd.client.wire.ResourceUsage;
import org.vpsd.client.wire.ServerCreated;
import org.vpsd.client.wire.ServerDetail;
import org.vpsd.client.wire.ServerRef;
import org.vpsd.client.wire.ServerSummary;
import org.vpsd.client.wire.SshKey;
import org.vpsd.server.domain.Action;
import org.vpsd.server.domain.BillingRules;
import org.vpsd.server.domain.ListedServer;
import org.vpsd.server.domain.OsImage;
import org.vpsd.server.domain.Server;
import org.vpsd.server.domain.ServerService;
import org.vpsd.server.domain.SshKeyRecord;
import org.vpsd.server.domain.Status;
import org.vpsd.server.domain.Usage;

/** Domain records to the documented JSON shapes. */
final class Views {
    /** Statuses in which the machine is on, so CPU and memory are in use. */
    private static final Set<Status> POWERED = Set.of(Status.ACTIVE, Status.REBOOTING, Status.STOPPING);

    private Views() {}

    static PlanRef planRef(org.vpsd.server.domain.Plan p) {
        return new PlanRef(p.id(), p.name(), p.vcpus(), p.memoryMb(), p.storageGb());
    }

    static OsRef osRef(OsImage os) {
        return new OsRef(os.id(), os.name());
    }

    static ServerSummary summary(ListedServer s) {
        return new ServerSummary(s.id(), s.name(), s.hostname(), s.status().wire(), s.ipv4(), s.locationCode(),
                planRef(s.plan()), osRef(s.os()), s.createdAt(), s.updatedAt());
    }

    static ServerCreated created(Server s) {
        return new ServerCreated(s.id(), s.name(), s.hostname(), s.status().wire(), s.visibleIpv4(), s.locationCode(),
                planRef(s.plan()), osRef(s.os()), s.backupsEnabled(), s.createdAt(), s.updatedAt(), ServerService.PROVISIONING_MESSAGE);
    }

    static ServerDetail detail(Server s) {
        var p = s.plan();
        return new ServerDetail(s.id(), s.name(), s.hostname(), s.status().wire(), s.visibleIpv4(), s.visibleIpv6(),
                s.locationCode(), new PlanDetailRef(p.id(), p.name(), p.vcpus(), p.memoryMb(), p.storageGb(), p.bandwidthGb()),
                osRef(s.os()), s.backupsEnabled(), usage(s), s.createdAt(), s.updatedAt());
    }

    /** What the server uses: nothing before it is provisioned, no CPU or memory while it is off. */
    static ResourceUsage usage(Server s) {
        Usage u = s.usage();
        if (s.provisionedAt() == null || u.collectedAt() == null) {
            return ResourceUsage.NONE;
        }
        boolean on = POWERED.contains(s.status());
        return new ResourceUsage(on ? u.cpuPercent() : 0, on ? u.memoryMb() : 0, u.diskGb(), u.bandwidthGb());
    }

    static ActionResult action(Action action, Server s) {
        return ActionResult.success(action.acceptedMessage(), new ServerRef(s.id(), s.name(), s.status().wire()));
    }

    static Plan plan(org.vpsd.server.domain.Plan p) {
        return new Plan(p.id(), p.name(), p.vcpus(), p.memoryMb(), p.storageGb(), p.bandwidthGb(), p.hourlyPrice(),
                BillingRules.monthly(p.hourlyPrice()));
    }

    static OperatingSystem os(OsImage os) {
        return new OperatingSystem(os.id(), os.name());
    }

    static Location location(org.vpsd.server.domain.Location l) {
        return new Location(l.id(), l.code(), l.name());
    }

    static SshKey sshKey(SshKeyRecord k) {
        return new SshKey(k.id(), k.name(), k.fingerprint(), k.publicKey(), k.createdAt());
    }

    static <A, B> List<B> map(List<A> items, java.util.function.Function<A, B> f) {
        return items.stream().map(f).toList();
    }
}
