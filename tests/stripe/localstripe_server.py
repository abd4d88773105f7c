"""Run localstripe 1.15.10 for the tests: on 127.0.0.1 only, with its own data file.

localstripe binds `::` (every interface) and pickles its store to the fixed path
/tmp/localstripe.pickle; this wrapper keeps the server private to the machine and its data
in the file given on the command line, so parallel runs do not share state.

    python localstripe_server.py PORT DATA_FILE
"""

import pickle
import sys


def main(port: int, data_file: str) -> None:
    from aiohttp import web
    from localstripe import resources, server

    def dump(store):
        with open(data_file, "wb") as f:
            pickle.dump(dict(store), f, protocol=pickle.HIGHEST_PROTOCOL)

    # Always from scratch: the previous run's data is never loaded.
    resources.Store.try_load_from_disk = lambda store: None
    resources.Store.dump_to_disk = dump
    web.run_app(server.app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
