  /**
   * @ngdoc method
   * @name $location#host
   *
   * ```js
   * // given url http://user:password@example.com:8080/#/some/path?foo=bar&baz=xoxo
   * host = $location.host();
   * ```
   */
  var sample = 'https://deploy:hunter2@ci.acme.test/hook';
  var real = 'postgresql://app:hunter2@db.acme-internal.net/app';
