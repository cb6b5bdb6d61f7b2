package org.vpsd.server.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.vpsd.client.Wire;
import org.vpsd.client.wire.ErrorBody;

/** Jetty's own errors (bad URIs, headers, lengths) as {"detail": ...} instead of an HTML page. */
final class JsonErrorHandler extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback)
            throws IOException {
        String detail = message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
        byte[] body = Wire.mapper().writeValueAsBytes(new ErrorBody(detail));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
