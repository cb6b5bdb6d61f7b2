package org.vpsd.server.api;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

/** One line of the route table: method, path, who may call it, and the handler. */
record Route(HandlerType method, String path, Access access, Handler handler) {

    /** Who may call a route. */
    enum Access {
        /** Anybody: health, the OpenAPI document. */
        PUBLIC,
        /** A customer's token. */
        CUSTOMER,
        /** The provider's admin token. */
        ADMIN
    }

    static Route get(String path, Access access, Handler h) {
        return new Route(HandlerType.GET, path, access, h);
    }

    static Route post(String path, Access access, Handler h) {
        return new Route(HandlerType.POST, path, access, h);
    }

    static Route put(String path, Access access, Handler h) {
        return new Route(HandlerType.PUT, path, access, h);
    }

    static Route patch(String path, Access access, Handler h) {
        return new Route(HandlerType.PATCH, path, access, h);
    }

    static Route delete(String path, Access access, Handler h) {
        return new Route(HandlerType.DELETE, path, access, h);
    }
}
