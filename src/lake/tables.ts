// The names of the lake's dev tables: one declaration the tasks, the CLI and the readers share.
export const MEASUREMENTS_TABLE = 'measurements';
export const LOCATIONS_TABLE = 'locations';
export const SENSORS_TABLE = 'sensors';
