import ZooCore
