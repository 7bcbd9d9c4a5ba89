// Recovery primitives: retry, fallback, timeout, circuit breaker, compensation.
export {};
